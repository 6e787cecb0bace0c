import { FlowRecord } from '../../app/data/flow';
import { apiRows, currentHour, ExactRow, hourText, openDetails, post, sampleFlows, tableRows, useConsole } from './consolePage';

const hour = currentHour() - 1;
const bytes = (row: ExactRow) => BigInt(row.bytes_tx) + BigInt(row.bytes_rx);
const total = (rows: ExactRow[]) => rows.reduce((sum, row) => sum + bytes(row), 0n);

/** An hour of apps with names of 254 code points, each 9 characters in a URL: twelve take 27 KB. */
const longNames = hour - 7;
const long = (side: string, i: number) => `${'€'.repeat(250)}-${side}${i}`;
function longFlows(): FlowRecord[] {
  return Array.from({ length: 24 }, (_, k) => ({
    src_app: long('s', k % 12),
    dest_app: long('d', (k + Math.floor(k / 12)) % 12),
    vpc_id: 'vpc-long',
    bytes_tx: 1000 * (k + 1),
    bytes_rx: k,
    hour: longNames,
  }));
}

describe('who grew: the over-time chart split by top values, the previous period, and the Sankey diagram’s rest', () => {
  const { service, page, open } = useConsole();
  const range = `from=${hour - 1}&to=${hour}`;

  beforeAll(async () => {
    await post(service().url, sampleFlows(hour));
    await post(service().url, longFlows());
  });

  /** The top `count` values of a field over the hours of `query`, by bytes, as the API ranks them. */
  const topOf = async (query: string, field: string, count: number) =>
    (await apiRows(service().url, `${query}&by=${field}&sort=bytes`)).slice(0, count).map((row) => String(row[field]));

  /** The split chart's table, as the API's answers give it: each hour, each top app's bytes, and other's. */
  const expectSplit = async (query: string, hours: number[], count: number) => {
    await openDetails(page(), 'series-data');
    const top = await topOf(query, 'src_app', count);
    expect(await page().locator('#series-data thead th').allTextContents()).toEqual(['Hour', ...top, 'other', 'Average rate, all']);
    const perApp = await apiRows(service().url, `${query}&by=src_app,hour`);
    const rows = await tableRows(page(), '#series-data tbody tr');
    for (const [i, h] of hours.entries()) {
      const inHour = perApp.filter((row) => row.hour === h);
      const named = top.map((app) => total(inHour.filter((row) => row.src_app === app)));
      const other = total(inHour.filter((row) => !top.includes(String(row.src_app))));
      expect(rows[i].slice(0, -1)).toEqual([`${hourText(h)} UTC`, ...named.map(String), String(other)]);
    }
  };

  /** The Sankey diagram's table, as the API's answers give it: every pair's bytes on its link, tops by name. */
  const expectSankey = async (query: string, count: number) => {
    await openDetails(page(), 'sankey-data');
    const sources = await topOf(query, 'src_app', count);
    const destinations = await topOf(query, 'dest_app', count);
    const expected = new Map<string, bigint>();
    for (const row of await apiRows(service().url, `${query}&by=src_app,dest_app`)) {
      const src = sources.includes(String(row.src_app)) ? row.src_app : 'other';
      const dest = destinations.includes(String(row.dest_app)) ? row.dest_app : 'other';
      expected.set(`${src} → ${dest}`, (expected.get(`${src} → ${dest}`) ?? 0n) + bytes(row));
    }
    const drawn = new Map((await tableRows(page(), '#sankey-data tbody tr')).map((row) => [`${row[0]} → ${row[1]}`, BigInt(row[2])]));
    expect(drawn).toEqual(expected);
  };

  it('splits the hours by the top source apps, the rest as other, every byte exact', async () => {
    await open(`?${range}&split=src_app&top=3`);
    await expectSplit(range, [hour - 1, hour], 3);
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
    await expectSankey(range, 3);
  });

  it('with names too long for one URL, splits its reads, and still puts every byte in its place', async () => {
    await open(`?hour=${longNames}&top=10&split=src_app`);
    const query = `from=${longNames}&to=${longNames}`;
    await expectSankey(query, 10);
    await expectSplit(query, [longNames], 10);
    expect(await page().locator('#sankey-reads a').allTextContents()).toEqual([
      'top sources',
      'top destinations',
      'pairs among them (1 of 2)',
      'pairs among them (2 of 2)',
    ]);
  });
});
