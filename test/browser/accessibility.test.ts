import { useChildService } from '../support/childService';
import { waitFor } from '../support/service';
import { seriousAccessibilityViolations, useBrowser, useWatchedPage, watchedPage } from './browser';
import { Page } from 'playwright-core';
import { currentHour, openDetails, post, query, sampleFlows, shown } from './consolePage';

const hour = currentHour() - 1;
const service = useChildService();
const browser = useBrowser();

describe('the console for every reader', () => {
  const watched = useWatchedPage(browser, () => service().url);

  beforeAll(() => post(service().url, sampleFlows(hour)));

  /** Each view the console has, as a person reaches it. */
  const views: Record<string, (page: Page) => Promise<void>> = {
    'a range, filtered': async (page) => {
      await page.goto(`${service().url}/?from=${hour - 1}&to=${hour}&src_app=checkout`);
      await shown(page);
    },
    'the last 24 hours, refreshed every minute': async (page) => {
      await page.goto(`${service().url}/?last=24h&refresh=1m`);
      await shown(page);
    },
    'split by source, compared with the hours before, both charts as tables': async (page) => {
      await page.goto(`${service().url}/?from=${hour - 1}&to=${hour}&split=src_app&compare=previous`);
      await shown(page);
      await openDetails(page, 'sankey-data');
      await openDetails(page, 'series-data');
    },
    'drilled down, with a way back': async (page) => {
      await page.goto(`${service().url}/?hour=${hour}`);
      await shown(page);
      await page.locator('#talkers tbody td:first-child a').first().click();
      await page.locator('#back:not([hidden])').waitFor();
      await shown(page);
    },
    'a range too long for the service': async (page) => {
      watched().allow(/^HTTP 400 .*\/flows\?from=/);
      await page.goto(`${service().url}/?from=${hour - 2000}&to=${hour}`);
      await page.locator('#alert a').first().waitFor();
    },
  };

  it.each(
    Object.keys(views).flatMap((view) =>
      [['light', 1280], ['dark', 1280], ['light', 400], ['dark', 400]].map(([scheme, width]) => [view, scheme, width] as const),
    ),
  )('%s, in %s mode, %i px wide: no serious or critical axe finding, nothing wider than the window', async (view, scheme, width) => {
    const { page } = watched();
    await page.emulateMedia({ colorScheme: scheme as 'light' | 'dark' });
    await page.setViewportSize({ width: width as number, height: 900 });
    await views[view](page);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // The table may scroll inside its own box; the page itself never sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width as number);
  });

  it('is usable with the keyboard alone: every control reachable, focus visible, changes in the URL', async () => {
    const { page } = watched();
    await page.goto(`${service().url}/?hour=${hour}`);
    await shown(page);

    /** Tabs forward until the focused element matches, at most a generous page's worth of stops. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 200; i += 1) {
        if (await page.locator(`${selector}:focus`).count()) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    await tabTo('.skip');
    await tabTo('#filter-dest_app');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    await page.keyboard.type('payments');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).getAll('dest_app')).toEqual(['payments']);

    await tabTo('.filter[data-field="dest_app"] .chips button');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).getAll('dest_app')).toEqual([]);

    await tabTo('#earlier');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).get('hour')).toBe(String(hour - 1));

    await tabTo('#talkers button[data-sort="bytes_tx"]');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).get('sort')).toBe('bytes_tx');
    // The table was redrawn under the keyboard: focus stays on the same header.
    expect(await page.locator('#talkers button[data-sort="bytes_tx"]:focus').count()).toBe(1);

    await tabTo('#top');
    await page.keyboard.press('ArrowDown');
    await shown(page);
    expect(query(page).get('top')).toBe('20');

    // Drilling down is a link per name; Back is a button at the top of the results.
    await tabTo('#talkers tbody a');
    const name = await page.evaluate('document.activeElement.textContent');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).getAll('src_app')).toEqual([name]);
    await page.keyboard.press('Shift+Tab');
    await tabTo('#back');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).getAll('src_app')).toEqual([]);

    await tabTo('button[data-last="6"]');
    await page.keyboard.press('Enter');
    await shown(page);
    expect(query(page).get('last')).toBe('6h');
  });
});

describe('the watcher these tests rely on', () => {
  it('catches a CSP violation, a console error, an error answer and a request to another origin', async () => {
    const watched = await watchedPage(browser(), service().url);
    try {
      await watched.page.goto(`${service().url}/?hour=${hour}`);
      await watched.page.evaluate(`
        const script = document.createElement('script');
        script.textContent = 'window.inline = true';
        document.body.append(script);
        console.error('on purpose');
        fetch('/nowhere');
      `);
      const expected = [
        expect.stringMatching(/^CSP violation: script-src/),
        'console error: on purpose',
        `HTTP 404 ${service().url}/nowhere`,
      ];
      let problems: string[] = [];
      await waitFor(async () => (problems = await watched.problems()).length >= expected.length, 10_000);
      expect(problems).toEqual(expect.arrayContaining(expected));
      // The policy refuses a fetch to another origin before it is sent; a navigation it does not govern.
      await watched.page.goto('http://other.invalid/x').catch(() => undefined);
      expect(await watched.problems()).toContain('request to another origin: http://other.invalid/x');
    } finally {
      await watched.close();
    }
  });
});
