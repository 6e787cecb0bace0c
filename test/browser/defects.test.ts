import { Page } from 'playwright-core';
import { FlowRecord } from '../../app/data/flow';
import { waitFor } from '../support/service';
import { apiRows, currentHour, hourText, openDetails, post, query, sampleFlows, shown, tableRows, useConsole } from './consolePage';
import { cut, drawnText, overlapping, recordDrawnText } from './drawnText';

const hour = currentHour() - 1;
/** An hour of 60 pairs, each its own source and destination: more of each than the diagram's top 50. */
const crowded = hour - 3;

/** Pairs of many names, as long as real service names get, with sizes from one to thousands. */
function crowd(): FlowRecord[] {
  return Array.from({ length: 60 }, (_, i) => ({
    src_app: `payments-gateway-${i}`,
    dest_app: `catalog-db-proxy-${i}`,
    vpc_id: 'vpc-crowd',
    bytes_tx: 1000 * (i + 1) ** 2,
    bytes_rx: 10,
    hour: crowded,
  }));
}

/** The text a chart draws once it has drawn at least `least` pieces of it. */
async function settledText(page: Page, chart: string, least: number) {
  let drawn = await drawnText(page, chart);
  await waitFor(async () => (drawn = await drawnText(page, chart)).texts.length >= least, 15_000);
  return drawn;
}

/** A chart's canvases as images, once the page has drawn two more frames. */
async function pixels(page: Page, chart: string): Promise<string[]> {
  await page.evaluate('new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))');
  return page.locator(`${chart} canvas`).evaluateAll((canvases) => canvases.map((canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL()));
}

/** Each of these failed on the console of main at 825e2b2, as the issue that reported them says. */
describe('the console’s reported defects', () => {
  const { service, watched, page, open } = useConsole();

  beforeAll(async () => {
    await post(service().url, sampleFlows(hour));
    await post(service().url, crowd());
  });

  it.each([1280, 400])('at top 50, %i px wide, the Sankey diagram gives every label a place of its own', async (width) => {
    await recordDrawnText(page());
    await page().setViewportSize({ width, height: 900 });
    await open(`?hour=${crowded}&top=50`);
    // 50 sources, 50 destinations, and "other" on both sides.
    const drawn = await settledText(page(), '#sankey', 102);
    expect(drawn.texts).toHaveLength(102);
    expect(overlapping(drawn.texts)).toEqual([]);
    expect(cut(drawn)).toEqual([]);
  });

  it('draws no made-up source: filtered to one source app, every flow comes from it', async () => {
    // The top destination, and the rest: checkout sends to more than one.
    await open(`?hour=${hour}&src_app=checkout&top=1`);
    const label = (await page().getAttribute('#sankey', 'aria-label')) ?? '';
    expect(label).toMatch(/: checkout to payments [^;]+; checkout to other [^;]+\.$/);
    expect(label).not.toMatch(/other to /);
    await openDetails(page(), 'sankey-data');
    const rows = await tableRows(page(), '#sankey-data tbody tr');
    const [top, ...rest] = (await apiRows(service().url, `hour=${hour}&src_app=checkout&by=dest_app&sort=bytes`)).map((row) => ({
      dest: String(row.dest_app),
      bytes: BigInt(row.bytes_tx) + BigInt(row.bytes_rx),
    }));
    expect(rows.map((row) => row.slice(0, 3))).toEqual([
      ['checkout', top.dest, String(top.bytes)],
      ['checkout', 'other', String(rest.reduce((a, b) => a + b.bytes, 0n))],
    ]);
  });

  it('400 px wide, shows each row’s total and rate beside its names, inside the table’s box', async () => {
    await page().setViewportSize({ width: 400, height: 900 });
    await open(`?hour=${hour}`);
    const box = await page().locator('.table-wrap:has(#talkers)').boundingBox();
    const heads = await page().locator('#talkers thead th').allTextContents();
    const total = heads.indexOf('Total');
    expect(total).toBeGreaterThan(0);
    const cells = page().locator(`#talkers tbody tr > :nth-child(${total + 1})`);
    expect(await cells.count()).toBeGreaterThan(5);
    for (const cell of await cells.all()) {
      const at = await cell.boundingBox();
      expect(at && box && at.x >= box.x && at.x + at.width <= box.x + box.width).toBe(true);
    }
    const rates = page().locator('#talkers tbody td.rate');
    expect(await rates.count()).toBe(await cells.count());
    for (const cell of await rates.all()) {
      const at = await cell.boundingBox();
      expect(at && box && at.x + at.width <= box.x + box.width).toBe(true);
    }
  });

  it.each([16, 19, 22, 25, 28])('400 px wide, over %i hours, the over-time chart’s labels are whole', async (span) => {
    await recordDrawnText(page());
    await page().setViewportSize({ width: 400, height: 900 });
    await open(`?from=${hour - span + 1}&to=${hour}`);
    const drawn = await settledText(page(), '#series', 5);
    expect(cut(drawn)).toEqual([]);
    expect(overlapping(drawn.texts)).toEqual([]);
  });

  it('shows hours as 24-hour UTC times, and To as the end of the range', async () => {
    await open(`?from=${hour - 1}&to=${hour}`);
    expect(await page().inputValue('#from-time')).toBe(hourText(hour - 1));
    expect(await page().inputValue('#to-time')).toBe(hourText(hour + 1));
    expect(await page().locator('#hours-shown').textContent()).toContain(`${hourText(hour - 1)} to ${hourText(hour + 1)} UTC`);
    // Typed the same way, a time is read as UTC: the range now ends an hour later.
    await page().fill('#to-time', hourText(hour + 2));
    await page().press('#to-time', 'Tab');
    await shown(page());
    expect(query(page()).toString()).toBe(`from=${hour - 1}&to=${hour + 1}`);
    await page().fill('#from-time', `${hourText(hour - 3).replace(' ', 'T')}Z`);
    await page().press('#from-time', 'Tab');
    await shown(page());
    expect(query(page()).toString()).toBe(`from=${hour - 3}&to=${hour + 1}`);
  });

  it('says in hours why a range is too long, and offers the longest ones the service reads', async () => {
    watched().allow(/^HTTP 400 .*\/flows\?from=/);
    await page().goto(`${service().url}/?from=${hour - 2000}&to=${hour}`);
    const alert = page().locator('#alert', { hasText: 'more than the service reads at once' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('2,001 hours are more than the service reads at once. It reads at most 744 hours');
    await alert.getByRole('link', { name: /^Show the last 31 days of them/ }).click();
    await shown(page());
    expect(query(page()).toString()).toBe(`from=${hour - 743}&to=${hour}`);
  });

  it('opens on the last 24 hours, not on one lone bar of the current hour', async () => {
    await open('');
    expect(query(page()).toString()).toBe('last=24h');
    expect(await page().getAttribute('#series', 'aria-label')).toContain(', 24 hours;');
  });

  it('draws a changed view at once, without replaying an animation', async () => {
    await open(`?from=${hour - 1}&to=${hour}`);
    await page().click('#earlier');
    await shown(page());
    const first = await pixels(page(), '#series');
    // Settled: the same image five frames in a row.
    let last: string[] = [];
    let same = 0;
    await waitFor(async () => {
      const now = await pixels(page(), '#series');
      same = now.join() === last.join() ? same + 1 : 0;
      last = now;
      return same >= 5;
    }, 15_000);
    expect(last.join() === first.join()).toBe(true);
  });
});
