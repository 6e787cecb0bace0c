import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { PausableProxy, proxyToSuiteStore } from '../support/pausableProxy';
import { RunningService, startService, waitFor } from '../support/service';

const FLUSH_TIMEOUT_MS = 1500;
const SOCKET_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 500;
// Scheduling slack on a busy machine; the bounds themselves are the configured timeouts. The stall lasts
// far longer than either plus this slack, so a request that waited for the stall to end still shows.
const MARGIN_MS = 3000;
const STALL_WAVES = 10;
const WAVE_MS = 1000;

const record = (src: string, bytes = 1) => ({ src_app: src, dest_app: 'd', vpc_id: 'v', bytes_tx: bytes, bytes_rx: bytes, hour: 5 });

/** The service talks to MongoDB through a proxy that the test stalls: MongoDB alive, but answering nothing. */
describe('a MongoDB that stops answering', () => {
  let proxy: PausableProxy;
  let service: RunningService;

  beforeAll(async () => {
    let uri: string;
    ({ proxy, uri } = await proxyToSuiteStore());
    service = await startService({
      mongodbUri: uri,
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
      mongodbSocketTimeoutMs: SOCKET_TIMEOUT_MS,
      mongodbQueryTimeoutMs: QUERY_TIMEOUT_MS,
      mongodbWriteTimeoutMs: 500,
      mongodbHeartbeatFrequencyMs: 500,
      mongodbServerSelectionTimeoutMs: 1000,
    });
  });
  afterAll(async () => {
    proxy.resume();
    await service.stop();
    await proxy.close();
  });

  const timed = async (req: request.Test) => {
    const started = Date.now();
    const res = await req;
    return { res, ms: Date.now() - started };
  };

  it('answers every request 503 within the configured timeouts, then recovers by itself', async () => {
    await request(service.url).post('/flows').send([record('before', 3)]).expect(200);

    proxy.pause();
    // Clients keep coming for longer than the timeouts: none may wait past them, however many queue up.
    const answers: { res: request.Response; ms: number; kind: 'post' | 'get' }[] = [];
    const waves: Promise<void>[] = [];
    for (let wave = 0; wave < STALL_WAVES; wave++) {
      for (let i = 0; i < 5; i++) {
        const post = request(service.url).post('/flows').send([record(`stalled-${wave}-${i}`)]);
        waves.push(timed(post).then((a) => void answers.push({ ...a, kind: 'post' })));
      }
      waves.push(timed(request(service.url).get('/flows?hour=5')).then((a) => void answers.push({ ...a, kind: 'get' })));
      await sleep(WAVE_MS);
    }
    await Promise.all(waves);

    for (const { res, ms, kind } of answers) {
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('storage_unavailable');
      expect(res.headers['retry-after']).toBe('1');
      expect(ms).toBeLessThan((kind === 'post' ? FLUSH_TIMEOUT_MS : QUERY_TIMEOUT_MS) + MARGIN_MS);
    }
    // The write in flight at the stall settles by the driver's timeouts and releases its records.
    await waitFor(() => service.store.pendingRecords === 0);

    proxy.resume();
    await waitFor(async () => (await request(service.url).post('/flows').send([record('after', 4)])).status === 200);
    const rows = (await request(service.url).get('/flows?hour=5').expect(200)).body as { src_app: string; bytes_tx: number }[];
    // Acknowledged before and after the stall, exactly; the stalled requests were refused, so any of them
    // stored is stored whole (one record each) and never twice.
    expect(rows.find((r) => r.src_app === 'before')?.bytes_tx).toBe(3);
    expect(rows.find((r) => r.src_app === 'after')?.bytes_tx).toBeGreaterThanOrEqual(4);
    for (const row of rows.filter((r) => r.src_app.startsWith('stalled-'))) expect(row.bytes_tx).toBe(1);
  }, 60_000);
});
