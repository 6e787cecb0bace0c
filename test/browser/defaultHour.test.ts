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

/** One database, filled step by step: each step moves the latest hour with data closer to now. */
describe('the console opened without hours', () => {
  const service = useChildService();
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);

  const openBare = async () => {
    await watched().page.goto(`${service().url}/`);
    await watched().page.waitForURL(/\?hour=\d+$/, { timeout: 15_000 });
    return Number(query(watched().page).get('hour'));
  };

  it('on an empty database, shows the current hour, empty', async () => {
    const before = currentHour();
    const hour = await openBare();
    expect(hour).toBeGreaterThanOrEqual(before);
    expect(hour).toBeLessThanOrEqual(currentHour());
    await watched().page.locator('#status', { hasText: 'No flows in' }).waitFor({ timeout: 15_000 });
  });

  it('finds the README example a newcomer posts, at hour 1', async () => {
    await post(service().url, [flow(1, 100, 500)]);
    await post(service().url, [flow(1, 200, 1000)]);
    expect(await openBare()).toBe(1);
    await shown(watched().page);
    expect(await tableRows(watched().page)).toEqual([['foo', 'bar', 'vpc-0', '300', '1500', '1800']]);
    expect(await watched().page.locator('#hours-shown').textContent()).toBe('1970-01-01 01:00–02:00 UTC (hour 1)');
  });

  it('finds data that stopped days ago, looking back', async () => {
    const stopped = currentHour() - 100;
    await post(service().url, [flow(stopped, 7, 8)]);
    expect(await openBare()).toBe(stopped);
    await shown(watched().page);
  });

  it('shows the hour before this one when data flows', async () => {
    const last = currentHour() - 1;
    await post(service().url, [flow(last, 1, 2)]);
    expect(await openBare()).toBe(last);
  });
});

describe('the console opened without hours, on a server reading at most one hour at a time', () => {
  const service = useChildService({ MAX_QUERY_HOURS: '1' });
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);

  it('finds data that stopped hours ago with one read of GET /hours, and no read of flows before it', async () => {
    const stopped = currentHour() - 6;
    await post(service().url, [flow(stopped, 3, 4)]);
    const reads: string[] = [];
    watched().page.on('request', (r) => reads.push(new URL(r.url()).pathname));
    await watched().page.goto(`${service().url}/`);
    await watched().page.waitForURL(/\?hour=\d+$/, { timeout: 15_000 });
    expect(Number(query(watched().page).get('hour'))).toBe(stopped);
    const api = reads.filter((path) => path === '/hours' || path === '/flows');
    expect(api[0]).toBe('/hours');
    expect(api.filter((path) => path === '/hours')).toHaveLength(1);
  });
});
