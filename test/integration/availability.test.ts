import request from 'supertest';
import { DisposableMongo, freePort, startDisposableMongo } from '../support/disposableMongo';
import { RunningService, startService, waitFor } from '../support/service';

const record = (hour: number, bytes = 1) => ({
  src_app: 'a',
  dest_app: 'b',
  vpc_id: 'v',
  bytes_tx: bytes,
  bytes_rx: bytes,
  hour,
});

/** The service runs on a MongoDB of the test's own, which the test stops and starts. */
describe('MongoDB availability', () => {
  let port: number;
  let mongo: DisposableMongo | undefined;
  let service: RunningService;

  beforeAll(async () => {
    port = await freePort();
    service = await startService(
      {
        mongodbUri: `mongodb://127.0.0.1:${port}/`,
        // Far longer than "at once" may take on a busy machine: a request that waited for it would show. A
        // flush that fails waits for it, so the flush timeout is longer still.
        mongodbServerSelectionTimeoutMs: 10_000,
        flushTimeoutMs: 20_000,
        mongodbHeartbeatFrequencyMs: 500,
        mongodbConnectRetryMs: 200,
        flushWindowMs: 1500,
      },
      { waitReady: false },
    );
  });
  afterAll(async () => {
    await service.stop();
    await mongo?.stop();
  });

  const ready = async () => (await request(service.url).get('/readyz')).status === 200;

  it('starts while MongoDB is down: live, not ready, and answers 503 with Retry-After at once', async () => {
    await request(service.url).get('/healthz').expect(200);
    await request(service.url).get('/readyz').expect(503);
    const started = Date.now();
    const res = await request(service.url).post('/flows').send([record(1)]).expect(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error).toBe('storage_unavailable');
    await request(service.url).get('/flows?hour=1').expect(503);
  });

  it('becomes ready by itself when MongoDB appears, and serves', async () => {
    mongo = await startDisposableMongo(port);
    await waitFor(ready);
    await request(service.url).post('/flows').send([record(1, 5)]).expect(200);
    const rows = (await request(service.url).get('/flows?hour=1').expect(200)).body;
    expect(rows).toEqual([expect.objectContaining({ bytes_tx: 5, bytes_rx: 5 })]);
  });

  it('answers 503 with Retry-After when the flush holding a request fails', async () => {
    const pending = request(service.url).post('/flows').send([record(2)]);
    const answered = pending.then((res) => res);
    // The flush window is 1.5 s: MongoDB dies while the records wait in memory.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await mongo?.crash();
    mongo = undefined;
    const res = await answered;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({
      error: 'storage_unavailable',
      message: 'MongoDB is unavailable or did not acknowledge the operation; retry later',
    });
    const metrics = (await request(service.url).get('/metrics').expect(200)).text;
    expect(metrics).toContain('fas_mongodb_errors_total{operation="flush"} 1');
  });

  it('drops readiness while MongoDB is unreachable and recovers when it returns', async () => {
    await waitFor(async () => !(await ready()));
    await request(service.url).get('/healthz').expect(200);
    mongo = await startDisposableMongo(port);
    await waitFor(ready);
    await request(service.url).post('/flows').send([record(3, 7)]).expect(200);
  });
});

describe('pending cap', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ flushWindowMs: 1000, pendingMaxRecords: 5, maxRecordsPerBatch: 5 });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('answers 503 with Retry-After beyond the cap and keeps what it already accepted', async () => {
    const hour = 10;
    const first = request(service.url).post('/flows').send([1, 2, 3, 4].map(() => record(hour))).then((r) => r);
    await waitFor(() => service.store.pendingRecords === 4);
    const refused = await request(service.url).post('/flows').send([record(hour), record(hour)]);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.error).toBe('overloaded');
    expect((await first).status).toBe(200);
    const rows = (await request(service.url).get(`/flows?hour=${hour}`).expect(200)).body;
    expect(rows).toEqual([expect.objectContaining({ bytes_tx: 4 })]);
  });
});

describe.each([2, 3])('%i replicas on one database', (replicas) => {
  const services: RunningService[] = [];
  beforeAll(async () => {
    services.push(await startService({ flushWindowMs: 0 }));
    const { mongodbDatabase } = services[0].settings;
    for (let i = 1; i < replicas; i++) services.push(await startService({ flushWindowMs: 0, mongodbDatabase }));
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('sum the same keys exactly when their upserts race, new keys and existing ones', async () => {
    const hour = 20;
    const batch = Array.from({ length: 20 }, (_, i) => ({ ...record(hour), src_app: `racer-${i}` }));
    const rounds = 5;
    const responses = await Promise.all(
      Array.from({ length: rounds }, () => services.map((s) => request(s.url).post('/flows').send(batch))).flat(),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(rounds * replicas).fill(200));
    const rows = (await request(services[0].url).get(`/flows?hour=${hour}`).expect(200)).body;
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row).toMatchObject({ bytes_tx: rounds * replicas, bytes_rx: rounds * replicas });
  }, 60_000);
});

describe('MONGODB_SHARD_COLLECTION', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ mongodbShardCollection: true, mongodbConnectRetryMs: 200 }, { waitReady: false });
  });
  afterAll(async () => {
    await service.stop();
  });

  // The test servers are not mongos: shardCollection fails there, so the service must not claim readiness
  // (it would write to an unsharded collection it was told to shard) and keeps retrying.
  it('keeps the service unready while the collection cannot be sharded', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(service.connection.ready).toBe(false);
    await request(service.url).get('/readyz').expect(503);
    await request(service.url).post('/flows').send([record(30)]).expect(503);
  });
});
