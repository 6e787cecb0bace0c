import { apiRows, currentHour, ExactRow, hourText, openDetails, post, sampleFlows, tableRows, useConsole } from './consolePage';

const hour = currentHour() - 1;
const bytes = (row: ExactRow) => BigInt(row.bytes_tx) + BigInt(row.bytes_rx);
const total = (rows: ExactRow[]) => rows.reduce((sum, row) => sum + bytes(row), 0n);

describe('who grew: the over-time chart split by top values, the previous period, and the Sankey diagram’s rest', () => {
  const { service, page, open } = useConsole();
  const range = `from=${hour - 1}&to=${hour}`;

  beforeAll(() => post(service().url, sampleFlows(hour)));

  it('splits the hours by the top source apps, the rest as other, every byte exact', async () => {
    await open(`?${range}&split=src_app&top=3`);
    await openDetails(page(), 'series-data');
    const top = (await apiRows(service().url, `${range}&by=src_app&sort=bytes`)).slice(0, 3).map((row) => String(row.src_app));
    const heads = await page().locator('#series-data thead th').allTextContents();
    expect(heads).toEqual(['Hour', ...top, 'other', 'Average rate, all']);

    const perApp = await apiRows(service().url, `${range}&by=src_app,hour`);
    const rows = await tableRows(page(), '#series-data tbody tr');
    for (const [i, h] of [hour - 1, hour].entries()) {
      const inHour = perApp.filter((row) => row.hour === h);
      const named = top.map((app) => total(inHour.filter((row) => row.src_app === app)));
      const other = total(inHour.filter((row) => !top.includes(String(row.src_app))));
      expect(rows[i].slice(0, -1)).toEqual([`${hourText(h)} UTC`, ...named.map(String), String(other)]);
    }
    expect(await page().getAttribute('#series', 'aria-label')).toContain('of the top 3 source apps by bytes, and other');
  });

  it('compares the totals and each row with the hours just before, in bytes and percent', async () => {
    await open(`?hour=${hour}&by=src_app&compare=previous`);
    const now = await apiRows(service().url, `hour=${hour}&by=src_app&sort=bytes&limit=25`);
    const before = await apiRows(service().url, `hour=${hour - 1}&by=src_app`);
    const rows = await tableRows(page());
    expect(rows.map((row) => row[0])).toEqual(now.map((row) => row.src_app));
    for (const [i, row] of now.entries()) {
      const then = before.find((b) => b.src_app === row.src_app);
      expect([row.src_app, rows[i][5]]).toEqual([row.src_app, String(bytes(row) - (then ? bytes(then) : 0n))]);
    }
    const search = page().locator('#talkers tbody tr', { hasText: 'search' }).locator('td.change');
    // 2.0 MB + 75 MB now, 5 MB + 90 MB before.
    expect(await search.textContent()).toBe('−18.0 MB −18.9%');
    expect(await page().locator('#talkers tbody tr', { hasText: 'frontend' }).locator('td.change').textContent()).toMatch(/ new$/);

    const totalNow = total(await apiRows(service().url, `hour=${hour}&by=hour`));
    const totalBefore = total(await apiRows(service().url, `hour=${hour - 1}&by=hour`));
    const foot = await tableRows(page(), '#talkers tfoot tr');
    expect(foot[0][5]).toBe(String(totalNow - totalBefore));
    expect(await page().locator('#notes').textContent()).toContain(`Changes are from the hour before: ${hourText(hour - 1)}–`);
  });

  it('puts every byte of the Sankey diagram on exactly one link: top sources and destinations by name, the rest as other', async () => {
    await open(`?${range}&top=3`);
    await openDetails(page(), 'sankey-data');
    const sources = (await apiRows(service().url, `${range}&by=src_app&sort=bytes`)).slice(0, 3).map((row) => row.src_app);
    const destinations = (await apiRows(service().url, `${range}&by=dest_app&sort=bytes`)).slice(0, 3).map((row) => row.dest_app);
    const expected = new Map<string, bigint>();
    for (const row of await apiRows(service().url, `${range}&by=src_app,dest_app`)) {
      const key = [sources.includes(row.src_app) ? row.src_app : 'other', destinations.includes(row.dest_app) ? row.dest_app : 'other'].join(' → ');
      expected.set(key, (expected.get(key) ?? 0n) + bytes(row));
    }
    const drawn = new Map((await tableRows(page(), '#sankey-data tbody tr')).map((row) => [`${row[0]} → ${row[1]}`, BigInt(row[2])]));
    expect(drawn).toEqual(expected);
  });
});
