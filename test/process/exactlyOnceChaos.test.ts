import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildService, spawnService } from '../support/childService';
import { PausableProxy, startPausableProxy } from '../support/pausableProxy';
import { mongoUri, uniqueDatabase, waitFor, withMongo } from '../support/service';

const RECORDS = 5;
const LEASE_MS = 2000;

interface Request {
  key: string;
  bytes: number;
  statuses: (number | 'error')[];
}

/**
 * Agents that retry: each request carries an Idempotency-Key and a src_app of its own, goes first to `first`,
 * and on anything but 200 (a 503, a 409, a reset connection) is sent again, to the members in turn, until
 * one answers 200. stop() lets every agent finish the request it holds.
 */
function retryingAgents(members: () => string[], agents: number) {
  const requests: Request[] = [];
  let stopped = false;
  const agent = async (a: number) => {
    for (let n = 0; !stopped; n++) {
      const request: Request = { key: `a${a}-r${n}`, bytes: 1 + ((a * 7919 + n) % 1000), statuses: [] };
      requests.push(request);
      const body = JSON.stringify(
        Array.from({ length: RECORDS }, (_, i) => ({
          src_app: request.key,
          dest_app: `d${i}`,
          vpc_id: 'vpc',
          bytes_tx: request.bytes,
          bytes_rx: 2 * request.bytes,
          hour: 2,
        })),
      );
      for (let attempt = 0; request.statuses.at(-1) !== 200; attempt++) {
        if (attempt > 0) await sleep(100);
        const urls = members();
        try {
          const res = await fetch(`${urls[attempt % urls.length]}/flows`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': request.key },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          await res.arrayBuffer();
          request.statuses.push(res.status);
        } catch {
          request.statuses.push('error');
        }
      }
    }
  };
  const running = Array.from({ length: agents }, (_, a) => agent(a));
  return {
    requests,
    acknowledged: () => requests.filter((r) => r.statuses.includes(200)).length,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/** Each src_app's (each request's) stored totals, summed over its keys. */
async function storedByRequest(database: string): Promise<Map<string, { tx: number; rx: number; n: number }>> {
  const docs = await withMongo(mongoUri(), (client) => client.db(database).collection('flows_hourly').find({}).toArray());
  const byRequest = new Map<string, { tx: number; rx: number; n: number }>();
  for (const d of docs) {
    const entry = byRequest.get(d.src_app) ?? { tx: 0, rx: 0, n: 0 };
    byRequest.set(d.src_app, { tx: entry.tx + Number(d.bytes_tx), rx: entry.rx + Number(d.bytes_rx), n: entry.n + 1 });
  }
  return byRequest;
}

/**
 * Two replicas on one database, agents retrying every request with its Idempotency-Key until it is
 * acknowledged. One replica's MongoDB hangs mid-flush (its flush stays in flight, its requests answer 503),
 * then the replica is killed with SIGKILL. The survivor's janitor completes the flushes the dead one left, once its
 * lease runs out; every retry finds its request applied or applies it. Every request ends acknowledged, and
 * stored exactly once.
 */
describe('retries with Idempotency-Key across a hung store and a kill -9', () => {
  let proxy: PausableProxy;
  let doomed: ChildService;
  let survivor: ChildService;
  const database = uniqueDatabase();
  beforeAll(async () => {
    const { hostname, port } = new URL(mongoUri().replace(/^mongodb:/, 'http:'));
    proxy = await startPausableProxy(hostname, Number(port));
    const env = { FLUSH_WINDOW_MS: '20', IDEMPOTENCY_LEASE_MS: String(LEASE_MS) };
    [doomed, survivor] = await Promise.all([
      spawnService(
        { ...env, MONGODB_URI: mongoUri().replace(`${hostname}:${port}`, `127.0.0.1:${proxy.port}`), FLUSH_TIMEOUT_MS: '1000' },
        { database },
      ),
      spawnService({ ...env, FLUSH_TIMEOUT_MS: '3000' }, { database }),
    ]);
  }, 180_000);
  afterAll(async () => {
    for (const s of [doomed, survivor]) if (s?.child.exitCode === null) s.child.kill('SIGKILL');
    proxy?.resume();
    await proxy?.close();
  });

  it('stores every request exactly once', async () => {
    let members = [doomed.url, survivor.url];
    const agents = retryingAgents(() => members, 6);
    await waitFor(() => agents.acknowledged() >= 60);

    // The replica's MongoDB hangs just as a flush has claimed its requests and sends its upserts, guarded
    // ($not) by the flush's number: the flush stays in flight, the requests answer 503 and are retried.
    await proxy.pauseAt('$not');
    await sleep(1500);
    const exited = once(doomed.child, 'exit');
    doomed.child.kill('SIGKILL');
    await exited;
    members = [survivor.url];
    proxy.resume();
    const killed = agents.requests.length;
    await waitFor(() => agents.acknowledged() >= killed + 30);
    await agents.stop();

    // The hang and the kill were felt: some attempts were refused or cut off, and retried.
    const retried = agents.requests.filter((r) => r.statuses.length > 1);
    expect(retried.length).toBeGreaterThan(0);
    const stored = await storedByRequest(database);
    expect(stored.size).toBe(agents.requests.length);
    for (const r of agents.requests) {
      expect([r.key, stored.get(r.key)]).toEqual([r.key, { tx: RECORDS * r.bytes, rx: 2 * RECORDS * r.bytes, n: RECORDS }]);
    }
    expect(survivor.output()).toMatch(/idempotency janitor.*"recovered":[1-9]/);
  }, 240_000);
});
