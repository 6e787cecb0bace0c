import { useChildService } from '../support/childService';
import { waitFor } from '../support/service';
import { seriousAccessibilityViolations, useBrowser, useWatchedPage, watchedPage } from './browser';
import { currentHour, post, query, sampleFlows, shown } from './consolePage';

const hour = currentHour() - 1;
const service = useChildService();
const browser = useBrowser();

describe('the console for every reader', () => {
  const watched = useWatchedPage(browser, () => service().url);

  beforeAll(() => post(service().url, sampleFlows(hour)));

  it.each([
    ['light', 1280],
    ['dark', 1280],
    ['light', 400],
    ['dark', 400],
  ] as const)('in %s mode, %i px wide: no serious or critical axe finding, nothing wider than the window', async (colorScheme, width) => {
    const { page } = watched();
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${service().url}/?from=${hour - 1}&to=${hour}&src_app=checkout`);
    await shown(page);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // The table may scroll inside its own box; the page itself never sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
  });

  it('is usable with the keyboard alone: every control reachable, focus visible, changes in the URL', async () => {
    const { page } = watched();
    await page.goto(`${service().url}/?hour=${hour}`);
    await shown(page);

    /** Tabs forward until the focused element matches, at most a page's worth of stops. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 60; i += 1) {
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
