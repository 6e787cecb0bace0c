import { Page } from 'playwright-core';
import { waitFor } from '../support/service';
import { currentHour, hourText, post, query, sampleFlows, shown, tableRows, useConsole } from './consolePage';
import { drawnText, recordDrawnText } from './drawnText';

const hour = currentHour() - 1;

/** Clicks a chart at a point given in its own CSS pixels. */
async function clickChart(page: Page, chart: string, x: number, y: number): Promise<void> {
  await page.locator(chart).scrollIntoViewIfNeeded();
  const box = await page.locator(chart).boundingBox();
  if (!box) throw new Error(`${chart} is not on screen`);
  await page.mouse.click(box.x + x, box.y + y);
}

describe('drilling down in the console, and back', () => {
  const { service, page, open } = useConsole();

  beforeAll(() => post(service().url, sampleFlows(hour)));

  it('a name in the table shows only its flows; Back, in the page or the browser, shows the view before', async () => {
    await open(`?hour=${hour}`);
    expect(await page().locator('#back').isHidden()).toBe(true);
    const link = page().locator('#talkers tbody td:first-child a', { hasText: /^frontend$/ }).first();
    expect(await link.getAttribute('href')).toBe(`?hour=${hour}&src_app=frontend`);
    await link.click();
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}&src_app=frontend`);
    const sources = (await tableRows(page())).map((row) => row[0]);
    expect(new Set(sources)).toEqual(new Set(['frontend']));
    expect(sources.length).toBe(3);

    await page().click('#back');
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}`);
    expect(await page().locator('#back').isHidden()).toBe(true);
    await page().goForward();
    await shown(page());
    await page().goBack();
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}`);
  });

  it('a click on a row’s bytes narrows to all its names; a filter value already there is replaced', async () => {
    await open(`?hour=${hour}&dest_app=search&dest_app=catalog`);
    await page().locator('#talkers tbody tr', { hasText: 'ratings' }).locator('td.num').first().click();
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}&src_app=ratings&dest_app=catalog&vpc_id=vpc-a`);
    expect((await tableRows(page())).map((row) => row.slice(0, 3))).toEqual([['ratings', 'catalog', 'vpc-a']]);
    expect(await page().locator('#back').isVisible()).toBe(true);
  });

  it('a click on a node of the Sankey diagram shows that app’s flows, on a link that pair’s', async () => {
    // checkout → payments holds all but a few millionths of the hour's bytes: it fills the diagram.
    await open(`?hour=${hour}`);
    const { width } = await drawnText(page(), '#sankey');
    await clickChart(page(), '#sankey', 18, 150);
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}&src_app=checkout`);
    await page().goBack();
    await shown(page());
    await clickChart(page(), '#sankey', width - 18, 150);
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}&dest_app=payments`);
    await page().goBack();
    await shown(page());
    await clickChart(page(), '#sankey', width / 2, 150);
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}&src_app=checkout&dest_app=payments`);
  });

  it('a click on a bar shows that hour, and, split, that value in it', async () => {
    await recordDrawnText(page());
    await open(`?from=${hour - 1}&to=${hour}&split=src_app`);
    // The last label's right end stands under the middle of the last bar, checkout's 18 PB.
    const label = hour % 24 === 0 ? hourText(hour).slice(5, 10) : hourText(hour).slice(11);
    let end: { right: number; top: number } | undefined;
    await waitFor(async () => (end = (await drawnText(page(), '#series')).texts.find((t) => t.text === label)) !== undefined, 15_000);
    await clickChart(page(), '#series', (end?.right ?? 0) - 2, (end?.top ?? 0) - 40);
    await shown(page());
    expect(query(page()).toString()).toBe(`hour=${hour}&src_app=checkout&split=src_app`);
  });
});
