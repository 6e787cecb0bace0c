import { useChildService } from '../support/childService';
import { waitFor } from '../support/service';
import { useBrowser, useWatchedPage } from './browser';
import {
  apiRows,
  BIG_SUM,
  currentHour,
  ExactRow,
  holdReads,
  paintedShare,
  post,
  query,
  sampleFlows,
  shown,
  tableRows,
} from './consolePage';

const hour = currentHour() - 1;
const iso = (h: number) => new Date(h * 3_600_000).toISOString().slice(0, 16);

/** A table row as the console should show it: the grouped names, then sent, received and their sum. */
const expected = (fields: string[]) => (row: ExactRow) => [
  ...fields.map((f) => String(row[f])),
  String(row.bytes_tx),
  String(row.bytes_rx),
  (BigInt(row.bytes_tx) + BigInt(row.bytes_rx)).toString(),
];

const sums = (rows: ExactRow[]) => {
  const tx = rows.reduce((a, r) => a + BigInt(r.bytes_tx), 0n);
  const rx = rows.reduce((a, r) => a + BigInt(r.bytes_rx), 0n);
  return [String(tx), String(rx), String(tx + rx)];
};

describe('the console, in Chromium, over the service’s own API', () => {
  const service = useChildService();
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);
  const page = () => watched().page;
  const open = async (search: string) => {
    await page().goto(`${service().url}/${search}`);
    await shown(page());
  };

  beforeAll(() => post(service().url, sampleFlows(hour)));

  it('opened bare, shows the latest hour with data, as a UTC time and an hour number, and puts it in the URL', async () => {
    await open('');
    expect(query(page()).toString()).toBe(`hour=${hour}`);
    expect(await page().locator('#hours-shown').textContent()).toContain(`${iso(hour).replace('T', ' ')}`);
    expect(await page().locator('#hours-shown').textContent()).toContain(`(hour ${hour})`);
    expect(await page().inputValue('#from-hour')).toBe(String(hour));
    expect(await page().inputValue('#to-time')).toBe(iso(hour));
  });

  it('shows the rows and totals the API returns, a total past 2^53 to the last digit', async () => {
    await open(`?hour=${hour}`);
    const fields = ['src_app', 'dest_app', 'vpc_id'];
    const rows = await apiRows(service().url, `from=${hour}&to=${hour}&by=${fields}&sort=bytes&limit=25`);
    expect(await tableRows(page())).toEqual(rows.map(expected(fields)));
    const perHour = await apiRows(service().url, `from=${hour}&to=${hour}&by=hour`);
    expect(await tableRows(page(), '#talkers tfoot tr')).toEqual([['All selected flows', ...sums(perHour)]]);

    const big = page().locator(`#talkers data[value="${BIG_SUM}"]`).first();
    expect(await big.textContent()).toBe('18.0 PB');
    expect(await big.getAttribute('title')).toBe('18,014,398,509,481,982 bytes');
    await page().click('#exact');
    await shown(page());
    expect(query(page()).get('units')).toBe('exact');
    expect(await page().locator(`#talkers data[value="${BIG_SUM}"]`).first().textContent()).toBe(BIG_SUM);
  });

  it('sorts and groups the table as the API does', async () => {
    await open(`?hour=${hour}`);
    await page().click('#talkers button[data-sort="bytes_rx"]');
    await shown(page());
    await page().uncheck('#group-by input[value="vpc_id"]');
    await shown(page());
    expect(query(page()).get('sort')).toBe('bytes_rx');
    expect(query(page()).get('by')).toBe('src_app,dest_app');
    const rows = await apiRows(service().url, `from=${hour}&to=${hour}&by=src_app,dest_app&sort=bytes_rx&limit=25`);
    expect(await tableRows(page())).toEqual(rows.map(expected(['src_app', 'dest_app'])));
    expect(await page().getAttribute('#talkers th:has(button[data-sort="bytes_rx"])', 'aria-sort')).toBe('descending');
  });

  it('puts filters and range in the URL, and the URL brings them back', async () => {
    await open(`?hour=${hour}`);
    for (const [field, value] of [['src_app', 'checkout'], ['src_app', 'search'], ['vpc_id', 'vpc-a']]) {
      await page().fill(`#filter-${field}`, value);
      await page().press(`#filter-${field}`, 'Enter');
      await shown(page());
    }
    await page().fill('#from-hour', String(hour - 1));
    await page().press('#from-hour', 'Tab');
    await shown(page());
    const search = `?from=${hour - 1}&to=${hour}&src_app=checkout&src_app=search&vpc_id=vpc-a`;
    expect(new URL(page().url()).search).toBe(search);

    const filtered = `from=${hour - 1}&to=${hour}&src_app=checkout&src_app=search&vpc_id=vpc-a`;
    const rows = (await apiRows(service().url, `${filtered}&by=src_app,dest_app,vpc_id&sort=bytes&limit=25`)).map(
      expected(['src_app', 'dest_app', 'vpc_id']),
    );
    expect(rows.map((r) => r.slice(0, 2))).toEqual([['checkout', 'payments'], ['search', 'catalog'], ['checkout', 'cart']]);
    expect(await tableRows(page())).toEqual(rows);

    // A reload, and the URL pasted into a fresh page, show the same view.
    for (const again of [() => page().reload(), () => page().goto(`${service().url}/${search}`)]) {
      await again();
      await shown(page());
      expect(await tableRows(page())).toEqual(rows);
      expect(await page().locator('.filter[data-field="src_app"] .chips button').allTextContents()).toEqual(['checkout ✕', 'search ✕']);
      expect(await page().inputValue('#from-hour')).toBe(String(hour - 1));
      expect(await page().inputValue('#from-time')).toBe(iso(hour - 1));
    }

    // Back undoes the last change; removing a filter takes it out of the URL.
    await page().goBack();
    await shown(page());
    expect(query(page()).get('from')).toBeNull();
    await page().click('.filter[data-field="vpc_id"] .chips button');
    await shown(page());
    expect(new URL(page().url()).search).toBe(`?hour=${hour}&src_app=checkout&src_app=search`);
  });

  it('draws who sends to whom and the hours, the top flows named and the rest summed as other', async () => {
    await open(`?from=${hour - 1}&to=${hour}&top=5`);
    for (const chart of ['#sankey', '#series']) {
      // ECharts animates the drawing in: wait for it to fill.
      let share = 0;
      await waitFor(async () => (share = await paintedShare(page(), chart)) > 0.05, 10_000).catch(() => undefined);
      expect([chart, share]).toEqual([chart, expect.any(Number)]);
      expect(share).toBeGreaterThan(0.05);
    }
    const sankey = (await page().getAttribute('#sankey', 'aria-label')) ?? '';
    expect(sankey).toMatch(/^Sankey diagram of bytes from source app to destination app: checkout to payments 18\.0 PB; /);
    expect(sankey.split('; ')).toHaveLength(6);
    expect(sankey).toMatch(/; other to other [\d.]+ [KMG]?B\.$/);
    const series = (await page().getAttribute('#series', 'aria-label')) ?? '';
    expect(series).toContain('per hour, 2 hours; the busiest hour is');
    expect(series).toContain(`${iso(hour).replace('T', ' ')} UTC`);

    // Hovering shows a tooltip, drawn on the canvas: an HTML one would break the page's style-src.
    for (const chart of ['#sankey', '#series']) {
      await page().locator(chart).scrollIntoViewIfNeeded();
      const box = await page().locator(chart).boundingBox();
      if (!box) throw new Error(`${chart} is not on screen`);
      const before = await paintedShare(page(), chart);
      await page().mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5);
      await waitFor(async () => (await paintedShare(page(), chart)) !== before, 10_000);
    }
  });

  it('says it is loading, and keeps the last view dimmed until the next one comes', async () => {
    let release = await holdReads(page());
    await page().goto(`${service().url}/?hour=${hour}`);
    await page().locator('#status', { hasText: 'Loading flows…' }).waitFor({ timeout: 15_000 });
    expect(await page().locator('#results').isHidden()).toBe(true);
    release();
    await shown(page());

    release = await holdReads(page());
    await page().click('#earlier');
    await page().locator('#results[aria-busy="true"]').waitFor({ timeout: 15_000 });
    expect(await page().locator('#status').textContent()).toBe('Loading flows…');
    expect(await page().locator('#results').isVisible()).toBe(true);
    release();
    await shown(page());
    expect(query(page()).get('hour')).toBe(String(hour - 1));
  });

  it('says so when an hour has no flows', async () => {
    await page().goto(`${service().url}/?hour=${hour + 10}`);
    await page().locator('#status', { hasText: 'No flows in' }).waitFor({ timeout: 15_000 });
    expect(await page().locator('#status').textContent()).toContain(`(hour ${hour + 10})`);
    expect(await page().locator('#results').isHidden()).toBe(true);
  });

  it.each([
    ['sort=size', 'sort'],
    [`hour=${hour}&colour=blue`, 'colour'],
    ['hour=2147483648', 'hour'],
    [`from=${hour}`, 'to'],
    [`from=${hour}&to=${hour - 1}`, 'to'],
    [`hour=${hour}&top=0`, 'top'],
    [`hour=${hour}&by=src_app,src_app`, 'by'],
  ])('names the bad parameter in ?%s', async (search, parameter) => {
    await page().goto(`${service().url}/?${search}`);
    const alert = page().locator('#alert', { hasText: 'bad parameter' });
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.locator('code').textContent()).toBe(parameter);
    expect(await page().locator('#results').isHidden()).toBe(true);
  });

  it('names the parameter the API refuses: a range past MAX_QUERY_HOURS', async () => {
    watched().allow(/^HTTP 400 .*\/flows\?/);
    await page().goto(`${service().url}/?from=${hour - 1000}&to=${hour}`);
    const alert = page().locator('#alert', { hasText: 'bad parameter' });
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toMatch(/744/);
  });
});
