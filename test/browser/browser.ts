import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContextOptions, chromium, Page } from 'playwright-core';
import chromiumFlags from '../../scripts/chromium-flags.json';

const root = join(__dirname, '../..');

/**
 * Debian's Chromium, installed by scripts/chromium.sh on first use; a fresh profile each launch. The flags
 * (scripts/chromium-flags.json, shared with the screenshot script): no sandbox as root, no GPU, nothing
 * fetched in the background on a machine that reaches only loopback.
 */
export function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync(join(root, 'scripts/chromium.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  }).trim();
  return chromium.launch({ executablePath, args: chromiumFlags });
}

/** A browser for the tests of the enclosing file: launched before them, closed after. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 600_000);
  afterAll(() => browser?.close());
  return () => {
    if (!browser) throw new Error('the browser is used outside its tests');
    return browser;
  };
}

export interface WatchedPage {
  page: Page;
  /**
   * Everything that went wrong so far: console errors, uncaught errors, CSP violations, requests to other
   * origins, answers of 400 or more (`HTTP 503 <url>`), except those a test expects (allow).
   */
  problems(): Promise<string[]>;
  /** Expects problems that match: they are left out of problems(). */
  allow(pattern: RegExp): void;
  close(): Promise<void>;
}

/**
 * A page of its own context that records what a console must never do: log an error, throw, break its
 * Content-Security-Policy, or reach for any origin but the service's (such requests are also refused).
 */
export async function watchedPage(browser: Browser, origin: string, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext(options);
  // Every wait for the page is a bound that ends a test which would hang, not a speed limit: generous enough
  // for a busy machine running two suites at once.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  page.on('console', (message) => {
    // Chromium logs every answer of 400 or more as an error too; those are recorded from the response below.
    const text = message.text();
    if (message.type() === 'error' && !text.startsWith('Failed to load resource: the server responded with a status of')) {
      problems.push(`console error: ${text}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  // Injected by the browser itself before any page script, so the page's own policy does not apply to it.
  await context.addInitScript(`
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
  `);
  return {
    page,
    async problems() {
      const violations = (await page.evaluate('window.__violations').catch(() => [])) as string[];
      return [...problems, ...violations.map((v) => `CSP violation: ${v}`)].filter((p) => !allowed.some((a) => a.test(p)));
    },
    allow(pattern) {
      allowed.push(pattern);
    },
    close: () => context.close(),
  };
}

/**
 * A fresh watched page for each test of the enclosing block; a test fails on any problem its page shows
 * but did not allow.
 */
export function useWatchedPage(browser: () => Browser, origin: () => string): () => WatchedPage {
  let watched: WatchedPage | undefined;
  beforeEach(async () => {
    watched = await watchedPage(browser(), origin());
  });
  afterEach(async () => {
    const problems = (await watched?.problems()) ?? [];
    await watched?.close();
    expect(problems).toEqual([]);
  });
  return () => {
    if (!watched) throw new Error('the page is used outside its tests');
    return watched;
  };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
