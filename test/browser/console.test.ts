import { waitFor } from '../support/service';
import {
  apiRows,
  BIG_SUM,
  currentHour,
  ExactRow,
  holdReads,
  hourText,
  paintedShare,
  post,
  query,
  sampleFlows,
  shown,
  tableRows,
  useConsole,
} from './consolePage';

const hour = currentHour() - 1;

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
  const { service, page, open } = useConsole();
  /** The table as the page shows it, without the rate column (the rates' own tests check it). */
  const byteRows = async (selector?: string) => (await tableRows(page(), selector)).map((row) => row.slice(0, -1));

  beforeAll(() => post(service().url, sampleFlows(hour)));

  it('opened bare, shows the last 24 hours, as UTC times and hour numbers, and keeps them relative in the URL', async () => {
    await open('');
    expect(query(page()).toString()).toBe('last=24h');
    const now = currentHour();
    expect(await page().locator('#hours-shown').textContent()).toBe(
      `The last 24 hours: ${hourText(now - 23)} to ${hourText(now + 1)} UTC (hours ${now - 23}–${now}, 24 hours)`,
    );
    expect(await page().inputValue('#from-hour')).toBe(String(now - 23));
    expect(await page().inputValue('#to-hour')).toBe(String(now));
    expect(await page().inputValue('#to-time')).toBe(hourText(now + 1));
    expect(await page().getAttribute('button[data-last="24"]', 'aria-pressed')).toBe('true');
  });

  it('shows the rows and totals the API returns, a total past 2^53 to the last digit', async () => {
    await open(`?hour=${hour}`);
    const fields = ['src_app', 'dest_app', 'vpc_id'];
    const rows = await apiRows(service().url, `from=${hour}&to=${hour}&by=${fields}&sort=bytes&limit=25`);
    expect(await byteRows()).toEqual(rows.map(expected(fields)));
    const perHour = await apiRows(service().url, `from=${hour}&to=${hour}&by=hour`);
    expect(await byteRows('#talkers tfoot tr')).toEqual([['All selected flows', ...sums(perHour)]]);

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
    expect(await byteRows()).toEqual(rows.map(expected(['src_app', 'dest_app'])));
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
    expect(await byteRows()).toEqual(rows);

    // A reload, and the URL pasted into a fresh page, show the same view.
    for (const again of [() => page().reload(), () => page().goto(`${service().url}/${search}`)]) {
      await again();
      await shown(page());
      expect(await byteRows()).toEqual(rows);
      expect(await page().locator('.filter[data-field="src_app"] .chips button').allTextContents()).toEqual(['checkout ✕', 'search ✕']);
      expect(await page().inputValue('#from-hour')).toBe(String(hour - 1));
      expect(await page().inputValue('#from-time')).toBe(hourText(hour - 1));
    }

    // Back undoes the last change; removing a filter takes it out of the URL.
    await page().goBack();
    await shown(page());
    expect(query(page()).get('from')).toBeNull();
    await page().click('.filter[data-field="vpc_id"] .chips button');
    await shown(page());
    expect(new URL(page().url()).search).toBe(`?hour=${hour}&src_app=checkout&src_app=search`);
  });

  it('draws who sends to whom and the hours, the top apps named and the rest summed as other', async () => {
    await open(`?from=${hour - 1}&to=${hour}&top=5`);
    for (const chart of ['#sankey', '#series']) {
      // The chart is drawn on the next frame: wait for it to fill.
      let share = 0;
      await waitFor(async () => (share = await paintedShare(page(), chart)) > 0.05, 10_000).catch(() => undefined);
      expect([chart, share]).toEqual([chart, expect.any(Number)]);
      expect(share).toBeGreaterThan(0.05);
    }
    const sankey = (await page().getAttribute('#sankey', 'aria-label')) ?? '';
    expect(sankey).toMatch(/^Sankey diagram of bytes from source app to destination app: checkout to payments 18\.0 PB; /);
    expect(sankey).toMatch(/; (other to [^;]+|[^;]+ to other) [\d.]+ [KMG]?B[;.]/);
    const series = (await page().getAttribute('#series', 'aria-label')) ?? '';
    expect(series).toContain('per hour of bytes sent and received, 2 hours; the busiest hour is');
    expect(series).toContain(`${hourText(hour)} UTC`);

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
    await page().locator('#status', { hasText: 'Loading flows…' }).waitFor();
    expect(await page().locator('#results').isHidden()).toBe(true);
    release();
    await shown(page());

    release = await holdReads(page());
    await page().click('#earlier');
    await page().locator('#results[aria-busy="true"]').waitFor();
    expect(await page().locator('#status').textContent()).toBe('Loading flows…');
    expect(await page().locator('#results').isVisible()).toBe(true);
    release();
    await shown(page());
    expect(query(page()).get('hour')).toBe(String(hour - 1));
  });

  it('says so when an hour has no flows', async () => {
    await page().goto(`${service().url}/?hour=${hour + 10}`);
    await page().locator('#status', { hasText: 'No flows in' }).waitFor();
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
    [`last=24h&hour=${hour}`, 'last'],
    ['last=0h', 'last'],
    ['last=24', 'last'],
    [`hour=${hour}&refresh=2m`, 'refresh'],
    [`hour=${hour}&split=hour`, 'split'],
    [`hour=${hour}&compare=yes`, 'compare'],
  ])('names the bad parameter in ?%s', async (search, parameter) => {
    await page().goto(`${service().url}/?${search}`);
    const alert = page().locator('#alert', { hasText: 'bad parameter' });
    await alert.waitFor();
    expect(await alert.locator('code').textContent()).toBe(parameter);
    expect(await page().locator('#results').isHidden()).toBe(true);
  });
});
