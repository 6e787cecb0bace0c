import { ChildService, spawnService } from '../support/childService';
import { PausableProxy, proxyToSuiteStore } from '../support/pausableProxy';
import { useBrowser, useWatchedPage } from './browser';
import { currentHour, post, sampleFlows, shown, tableRows } from './consolePage';

const hour = currentHour() - 1;

/** The service reaches MongoDB through a proxy the test stalls: MongoDB alive, answering nothing. */
describe('the console while storage is unavailable', () => {
  const browser = useBrowser();
  let proxy: PausableProxy;
  let service: ChildService;

  beforeAll(async () => {
    let uri: string;
    ({ proxy, uri } = await proxyToSuiteStore());
    service = await spawnService({
      MONGODB_URI: uri,
      MONGODB_QUERY_TIMEOUT_MS: '500',
      MONGODB_WRITE_TIMEOUT_MS: '500',
      MONGODB_SOCKET_TIMEOUT_MS: '1000',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
      MONGODB_HEARTBEAT_FREQUENCY_MS: '500',
      RETRY_AFTER_SECONDS: '1',
    });
    await post(service.url, sampleFlows(hour));
  });
  const watched = useWatchedPage(browser, () => service.url);
  afterAll(async () => {
    proxy.resume();
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await proxy.close();
  });

  it('says storage is unavailable when the API answers 503, retries after Retry-After, and recovers', async () => {
    const { page } = watched();
    await page.goto(`${service.url}/?hour=${hour}`);
    await shown(page);
    const before = await tableRows(page);

    const answers: { status: number; retryAfter: string | null }[] = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname === '/flows') answers.push({ status: res.status(), retryAfter: res.headers()['retry-after'] ?? null });
    });
    proxy.pause();
    await page.reload();
    const alert = page.locator('#alert', { hasText: 'Storage unavailable' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Retrying in 1 s');
    expect(await page.locator('#results').isHidden()).toBe(true);
    expect(answers).toContainEqual({ status: 503, retryAfter: '1' });

    // Still away after Retry-After: the page asks again (every request of the first try was sent before the
    // alert showed), and says so again.
    await page.waitForRequest((req) => new URL(req.url()).pathname === '/flows', { timeout: 30_000 });
    await alert.waitFor();

    proxy.resume();
    await shown(page);
    expect(await page.locator('#alert').textContent()).toBe('');
    expect(await tableRows(page)).toEqual(before);
    // The 503s were the point; nothing else may go wrong.
    watched().allow(/^HTTP 503 .*\/flows\?/);
  }, 90_000);
});
