import request from 'supertest';
import { PausableProxy, proxyToSuiteStore } from '../support/pausableProxy';
import { keyDocument, RunningService, startService, withCollection } from '../support/service';

const HOUR = 7_000;
const SLOTS = 2;

const expensive = ['/flows?hour=7000', '/flows?from=7000&to=7001', '/flows?hour=7000&sort=bytes', '/flows?hour=7000&by=src_app'];

describe('expensive reads are bounded per instance', () => {
  let proxy: PausableProxy;
  let service: RunningService;

  beforeAll(async () => {
    let uri: string;
    ({ proxy, uri } = await proxyToSuiteStore());
    service = await startService({
      mongodbUri: uri,
      maxConcurrentReads: SLOTS,
      mongodbQueryTimeoutMs: 20_000,
      mongodbSocketTimeoutMs: 30_000,
    });
    await withCollection(service, (c) =>
      c.insertMany(Array.from({ length: 50 }, (_, i) => keyDocument({ hour: HOUR, src_app: `s${i}`, dest_app: 'd', vpc_id: 'v' }, 1n, 2n))),
    );
  });
  afterAll(async () => {
    proxy.resume();
    await service.stop();
    await proxy.close();
  });

  it('refuses one more at once with 503 and Retry-After, keeps probes open, and frees the slots when reads end', async () => {
    // MongoDB stalls: the first reads hold their slots until it answers again.
    proxy.pause();
    const held = expensive.slice(0, SLOTS).map((path) => request(service.url).get(path).then((res) => res));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const path of expensive) {
      const res = await request(service.url).get(path).expect(503);
      expect(res.headers['retry-after']).toBe(String(service.settings.retryAfterSeconds));
      expect(res.body).toEqual({
        error: 'overloaded',
        message: `${SLOTS} expensive reads are already running on this instance (MAX_CONCURRENT_READS); retry later`,
      });
    }
    await request(service.url).get('/healthz').expect(200);
    // A page of one hour's keys in key order costs about its limit: it is never refused for the bound.
    const cheap = request(service.url).get(`/flows?hour=${HOUR}&limit=5`).then((res) => res);
    proxy.resume();
    expect((await Promise.all(held)).map((res) => res.status)).toEqual([200, 200]);
    expect((await cheap).status).toBe(200);
    for (const path of expensive) await request(service.url).get(path).expect(200);
  });

  it('answers POSTs and probes while many clients read whole hours at once', async () => {
    const reads = Array.from({ length: 16 }, () => request(service.url).get(`/flows?hour=${HOUR}`).then((res) => res));
    const posts = Array.from({ length: 8 }, (_, i) =>
      request(service.url)
        .post('/flows')
        .send([{ src_app: `w${i}`, dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: HOUR + 1 }])
        .then((res) => res.status),
    );
    const probes = Array.from({ length: 8 }, () => request(service.url).get('/readyz').then((res) => res.status));
    expect(await Promise.all(posts)).toEqual(Array(8).fill(200));
    expect(await Promise.all(probes)).toEqual(Array(8).fill(200));
    const answered = await Promise.all(reads);
    for (const res of answered) {
      if (res.status === 200) expect(res.body).toHaveLength(50);
      else expect([res.status, res.body.error]).toEqual([503, 'overloaded']);
    }
  });
});
