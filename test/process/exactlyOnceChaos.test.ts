import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileSync } from 'node:fs';
import { ChildService, spawnService } from '../support/childService';
import { freePort } from '../support/disposableMongo';
import { PausableProxy, proxyToSuiteStore } from '../support/pausableProxy';
import { mongoUri, uniqueDatabase, waitFor, withMongo } from '../support/service';
import { startStoreProcess, StoreKind, StoreProcess } from '../support/storeProcess';

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
/** Every request stored exactly once: each of its keys holds its record once, and nothing else is stored. */
async function expectEachStoredOnce(requests: readonly Request[], database: string, uri?: string): Promise<void> {
  const stored = await storedByRequest(database, uri);
  expect(requests.filter((r) => !r.statuses.includes(200)).map((r) => r.key)).toEqual([]);
  for (const r of requests) {
    expect([r.key, stored.get(r.key)]).toEqual([r.key, { tx: RECORDS * r.bytes, rx: 2 * RECORDS * r.bytes, n: RECORDS }]);
  }
  expect(stored.size).toBe(requests.length);
}

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
        // An agent gives up after a minute or so: the test then fails on the request it never got stored.
        if (attempt === 400) return;
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
async function storedByRequest(database: string, uri = mongoUri()): Promise<Map<string, { tx: number; rx: number; n: number }>> {
  const docs = await withMongo(uri, (client) => client.db(database).collection('flows_hourly').find({}).toArray());
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
    let proxied: string;
    ({ proxy, uri: proxied } = await proxyToSuiteStore());
    const env = { FLUSH_WINDOW_MS: '20', IDEMPOTENCY_LEASE_MS: String(LEASE_MS) };
    [doomed, survivor] = await Promise.all([
      spawnService(
        { ...env, MONGODB_URI: proxied, FLUSH_TIMEOUT_MS: '1000' },
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
    await expectEachStoredOnce(agents.requests, database);
    expect(survivor.output()).toMatch(/idempotency janitor.*"recovered":[1-9]/);
  }, 240_000);
});

/**
 * Jepsen-style: a fleet of three, agents that retry every request with its key until a 200, and the faults
 * one after the other under load: the store frozen (SIGSTOP) past the flush timeout, a member killed with
 * SIGKILL and started again, and (FerretDB, whose data outlives its process) the store killed with SIGKILL
 * and started again on its data. At the end every total is the sum of the requests sent, exactly.
 * CHAOS_REPORT names a file for the figures (requests, attempts and their answers, faults).
 */
describe.each<StoreKind>(['ferretdb', 'mongo-java-server'])('a fleet of three on %s, under faults, with agents that retry', (kind) => {
  let store: StoreProcess;
  const members: (ChildService | undefined)[] = [];
  const database = uniqueDatabase();
  let hopPorts: number[];
  const spawnMember = async (i: number) => {
    const peers = hopPorts.map((p) => `http://127.0.0.1:${p}`);
    members[i] = await spawnService(
      {
        MONGODB_URI: store.uri,
        FLUSH_WINDOW_MS: '20',
        FLUSH_TIMEOUT_MS: '1000',
        HOP_TIMEOUT_MS: '2000',
        IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
        HOP_PORT: String(hopPorts[i]),
        PEERS: peers.join(','),
        PEER_URL: peers[i],
      },
      { database },
    );
  };
  beforeAll(async () => {
    store = await startStoreProcess(kind);
    hopPorts = await Promise.all([freePort(), freePort(), freePort()]);
    await Promise.all([0, 1, 2].map(spawnMember));
  }, 180_000);
  afterAll(async () => {
    for (const m of members) if (m?.child.exitCode === null) m.child.kill('SIGKILL');
    await store?.stop();
  });

  it('stores every request exactly once', async () => {
    const alive = () => members.flatMap((m) => (m && m.child.exitCode === null && m.child.signalCode === null ? [m.url] : []));
    const agents = retryingAgents(alive, 9);
    const faults: string[] = [];
    const more = async (n: number) => {
      const target = agents.acknowledged() + n;
      await waitFor(() => agents.acknowledged() >= target, 120_000);
    };
    await more(60);

    store.freeze();
    faults.push('store frozen (SIGSTOP) 2.5 s');
    await sleep(2500);
    store.thaw();
    await more(30);

    const killed = members[2]!;
    const exited = once(killed.child, 'exit');
    killed.child.kill('SIGKILL');
    await exited;
    faults.push('member killed (SIGKILL), started again 1 s later');
    await sleep(1000);
    await spawnMember(2);
    await more(30);

    if (store.keepsData) {
      await store.kill();
      faults.push('store killed (SIGKILL), started again on its data 1 s later');
      await sleep(1000);
      await store.restart();
      await more(30);
    }
    await agents.stop();

    await expectEachStoredOnce(agents.requests, database, store.uri);
    const attempts = agents.requests.reduce((n, r) => n + r.statuses.length, 0);
    const answers: Record<string, number> = {};
    for (const status of agents.requests.flatMap((r) => r.statuses)) answers[status] = (answers[status] ?? 0) + 1;
    const retried = agents.requests.filter((r) => r.statuses.length > 1).length;
    const records = agents.requests.length * RECORDS;
    const report = { store: kind, requests: agents.requests.length, records, attempts, retried, answers, faults };
    if (process.env.CHAOS_REPORT) writeFileSync(`${process.env.CHAOS_REPORT}.${kind}.json`, JSON.stringify(report, null, 2));
    expect(attempts).toBeGreaterThan(agents.requests.length);
  }, 600_000);
});
