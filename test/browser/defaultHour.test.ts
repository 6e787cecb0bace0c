import { useChildService } from '../support/childService';
import { useBrowser, useWatchedPage } from './browser';
import { FlowRecord } from '../../app/data/flow';
import { currentHour, post, query, shown, tableRows } from './consolePage';

const flow = (hour: number, bytes_tx: number, bytes_rx: number): FlowRecord => ({
  src_app: 'foo',
  dest_app: 'bar',
  vpc_id: 'vpc-0',
  bytes_tx,
  bytes_rx,
  hour,
});

/**
 * One database, filled step by step: each step moves the latest hour with data closer to now. The URL a bare
 * page settles on is `last=24h` where the latest data is among the last 24 hours, else the 24 hours up to it.
 */
describe('the console opened without hours', () => {
  const service = useChildService();
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);

  const openBare = async () => {
    await watched().page.goto(`${service().url}/`);
    await watched().page.waitForURL(/\?(last=24h|from=\d+&to=\d+)$/);
    return query(watched().page).toString();
  };

  it('on an empty database, shows the last 24 hours, empty', async () => {
    expect(await openBare()).toBe('last=24h');
    await watched().page.locator('#status', { hasText: 'No flows in the last 24 hours' }).waitFor();
  });

  it('finds the README example a newcomer posts, at hour 1', async () => {
    await post(service().url, [flow(1, 100, 500)]);
    await post(service().url, [flow(1, 200, 1000)]);
    expect(await openBare()).toBe('from=0&to=1');
    await shown(watched().page);
    expect((await tableRows(watched().page)).map((row) => row.slice(0, -1))).toEqual([['foo', 'bar', 'vpc-0', '300', '1500', '1800']]);
    expect(await watched().page.locator('#hours-shown').textContent()).toBe('1970-01-01 00:00 to 1970-01-01 02:00 UTC (hours 0–1, 2 hours)');
  });

  it('finds data that stopped days ago', async () => {
    const stopped = currentHour() - 100;
    await post(service().url, [flow(stopped, 7, 8)]);
    expect(await openBare()).toBe(`from=${stopped - 23}&to=${stopped}`);
    await shown(watched().page);
  });

  it('follows the clock where data flows', async () => {
    await post(service().url, [flow(currentHour() - 1, 1, 2)]);
    expect(await openBare()).toBe('last=24h');
    await shown(watched().page);
  });
});

describe('the console opened without hours, on a server reading at most one hour at a time', () => {
  const service = useChildService({ MAX_QUERY_HOURS: '1' });
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);

  it('still finds data that stopped hours ago with one read of GET /hours, and shows as many hours as the server reads', async () => {
    const stopped = currentHour() - 6;
    await post(service().url, [flow(stopped, 3, 4)]);
    const reads: string[] = [];
    watched().page.on('request', (r) => reads.push(new URL(r.url()).pathname));
    await watched().page.goto(`${service().url}/`);
    await watched().page.waitForURL(/\?hour=\d+$/);
    expect(Number(query(watched().page).get('hour'))).toBe(stopped);
    await shown(watched().page);
    const api = reads.filter((path) => path === '/hours' || path === '/flows');
    expect(api[0]).toBe('/hours');
    expect(api.filter((path) => path === '/hours')).toHaveLength(1);
  });
});
