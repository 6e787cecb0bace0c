import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { FlowRecord } from '../../app/data/flow';
import { flowKeyId } from '../../app/query/flows';
import { PausableProxy, proxyToSuiteStore } from '../support/pausableProxy';
import { metricSample, RunningService, startFleet, startMembers, startService, uniqueDatabase, waitFor } from '../support/service';
import { StoreUnderTest, storesUnderTest } from '../support/storesUnderTest';

const HOUR = 400_000;

type Totals = Map<string, [number, number]>;

/** A request of `n` records over `n` keys, its byte counts drawn from `seed`. */
function batch(n: number, seed: number): FlowRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    src_app: `src-${i % 7}`,
    dest_app: `dest-${i}`,
    vpc_id: `vpc-${i % 3}`,
    bytes_tx: seed * 1000 + i + 1,
    bytes_rx: seed * 2000 + 2 * i + 1,
    hour: HOUR,
  }));
}

/** The sums of every request, each counted `times` (by default once). */
function sums(requests: readonly FlowRecord[][], into: Totals = new Map()): Totals {
  for (const r of requests.flat()) {
    const [tx, rx] = into.get(flowKeyId(r)) ?? [0, 0];
    into.set(flowKeyId(r), [tx + r.bytes_tx, rx + r.bytes_rx]);
  }
  return into;
}

async function stored(service: RunningService): Promise<Totals> {
  const rows = (await request(service.url).get(`/flows?hour=${HOUR}`).expect(200)).body as FlowRecord[];
  return new Map(rows.map((r) => [flowKeyId(r), [r.bytes_tx, r.bytes_rx]]));
}

/** The hour's grand total as the roll-ups answer it: every roll-up must hold each request once too. */
async function hourTotal(service: RunningService): Promise<string> {
  const res = await request(service.url).get(`/flows?from=${HOUR}&to=${HOUR + 1}&by=hour`).expect(200);
  return JSON.stringify(res.body);
}

const post = (service: RunningService, key: string | undefined, records: FlowRecord[], token?: string) => {
  const req = request(service.url).post('/flows');
  if (key !== undefined) req.set('Idempotency-Key', key);
  if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
  return req.send(records);
};

/** One series' sample, scraped from the service's /metrics. */
const metric = async (service: RunningService, series: string) =>
  metricSample((await request(service.url).get('/metrics').expect(200)).text, series);
const ingested = (service: RunningService) => metric(service, 'fas_flows_ingested_total');

describe.each(storesUnderTest)('Idempotency-Key on %s', (_name, startStore) => {
  let store: StoreUnderTest;
  let service: RunningService;
  const applied: FlowRecord[][] = [];
  beforeAll(async () => {
    store = await startStore();
    service = await startService({ mongodbUri: store.uri, flushWindowMs: 20 });
  });
  afterAll(async () => {
    await service?.stop();
    await store?.stop();
  });

  it('applies a request once however often it is sent, and answers every repeat as the first', async () => {
    const key = randomUUID();
    const records = batch(40, 1);
    const first = await post(service, key, records).expect(200);
    expect(first.body).toEqual({ accepted: 40 });
    applied.push(records);
    for (let i = 0; i < 3; i++) expect((await post(service, key, records).expect(200)).body).toEqual(first.body);
    expect(await stored(service)).toEqual(sums(applied));
  });

  it('applies a request sent many times at once exactly once: a repeat waits for the first, or answers 409', async () => {
    const key = randomUUID();
    const records = batch(30, 2);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(service, key, records)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses).toContain(200);
    for (const a of answers.filter((a) => a.status === 409)) {
      expect(a.body.error).toBe('request_in_flight');
      expect(a.headers['retry-after']).toBeDefined();
    }
    applied.push(records);
    expect(await stored(service)).toEqual(sums(applied));
  });

  it('refuses the same key with other records (422) and applies nothing of them', async () => {
    const key = randomUUID();
    const records = batch(10, 3);
    await post(service, key, records).expect(200);
    applied.push(records);
    const other = records.map((r) => ({ ...r, bytes_tx: r.bytes_tx + 1 }));
    const res = await post(service, key, other).expect(422);
    expect(res.body.error).toBe('idempotency_key_reused');
    // Another order of the same records is another request too.
    await post(service, key, [...records].reverse()).expect(422);
    expect(await stored(service)).toEqual(sums(applied));
  });

  it('leaves requests without a key as they were: each one applied', async () => {
    const records = batch(5, 4);
    await post(service, undefined, records).expect(200);
    await post(service, undefined, records).expect(200);
    applied.push(records, records);
    expect(await stored(service)).toEqual(sums(applied));
  });

  it('counts a request in fas_flows_ingested_total once however often it is sent; one without a key each time', async () => {
    const key = randomUUID();
    const records = batch(12, 8);
    const before = await ingested(service);
    for (let i = 0; i < 3; i++) await post(service, key, records).expect(200);
    applied.push(records);
    expect((await ingested(service)) - before).toBe(12);
    await post(service, undefined, records).expect(200);
    applied.push(records);
    expect((await ingested(service)) - before).toBe(24);
  });

  it('refuses a malformed key with 400 before anything is applied', async () => {
    for (const key of ['', 'a b', 'x'.repeat(256), 'é']) {
      const res = await request(service.url).post('/flows').set('Idempotency-Key', key).send(batch(3, 5));
      expect([res.status, res.body.error]).toEqual([400, 'invalid_idempotency_key']);
    }
    expect(await stored(service)).toEqual(sums(applied));
  });

  it('keeps every roll-up exact: the hour’s total counts each request once', async () => {
    const records = applied.flat();
    const bytes = records.reduce((s, r) => s + r.bytes_tx + r.bytes_rx, 0);
    expect(JSON.parse(await hourTotal(service))).toEqual([
      expect.objectContaining({ hour: HOUR, bytes_tx: records.reduce((s, r) => s + r.bytes_tx, 0), bytes_rx: bytes - records.reduce((s, r) => s + r.bytes_tx, 0) }),
    ]);
  });

  it('counts the parts by what their flush found', async () => {
    const text = (await request(service.url).get('/metrics')).text;
    expect(metricSample(text, 'fas_idempotent_parts_total{outcome="applied"}')).toBeGreaterThanOrEqual(3);
    expect(metricSample(text, 'fas_idempotent_parts_total{outcome="done"}')).toBeGreaterThanOrEqual(3);
    expect(metricSample(text, 'fas_idempotent_parts_total{outcome="conflict"}')).toBe(2);
  });
});

describe('Idempotency-Key past IDEMPOTENCY_TTL_HOURS', () => {
  let clock = Date.UTC(2026, 11, 1, 12);
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ flushWindowMs: 5, idempotencyTtlHours: 1, idempotencyLeaseMs: 1000, maxFutureHours: 0 }, { now: () => clock });
  });
  afterAll(() => service?.stop());

  it('remembers a key for the TTL, then forgets it: the same request is new again', async () => {
    const key = randomUUID();
    const records = batch(6, 50);
    await post(service, key, records).expect(200);
    clock += 30 * 60_000;
    // Two janitor passes (every IDEMPOTENCY_LEASE_MS) within the TTL forget nothing.
    await sleep(2500);
    expect(await metric(service, 'fas_idempotency_keys_forgotten_total')).toBe(0);
    await post(service, key, records).expect(200);
    expect(await stored(service)).toEqual(sums([records]));

    clock += 31 * 60_000;
    await waitFor(async () => (await metric(service, 'fas_idempotency_keys_forgotten_total')) === 1);
    await post(service, key, records).expect(200);
    expect(await stored(service)).toEqual(sums([records, records]));
  });
});

describe('Idempotency-Key with authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fas-tokens-'));
  const line = (name: string, token: string) => `${name}:write,read:${createHash('sha256').update(token).digest('hex')}`;
  let service: RunningService;
  beforeAll(async () => {
    writeFileSync(join(dir, 'tokens'), `${line('alpha', 'a-7f3e')}\n${line('beta', 'b-2c9d')}\n`);
    service = await startService({ authTokensFile: join(dir, 'tokens'), flushWindowMs: 5 });
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scopes keys by client: two clients never meet on one key', async () => {
    const key = 'shared-key';
    const a = batch(4, 6);
    const b = batch(4, 7);
    await post(service, key, a, 'a-7f3e').expect(200);
    await post(service, key, b, 'b-2c9d').expect(200);
    await post(service, key, a, 'a-7f3e').expect(200);
    const rows = (await request(service.url).get(`/flows?hour=${HOUR}`).set('Authorization', 'Bearer a-7f3e').expect(200)).body as FlowRecord[];
    expect(new Map(rows.map((r) => [flowKeyId(r), [r.bytes_tx, r.bytes_rx]]))).toEqual(sums([a, b]));
  });
});

describe('Idempotency-Key in a fleet', () => {
  let fleet: RunningService[];
  beforeAll(async () => {
    fleet = await startFleet(3, { flushWindowMs: 20, hopWindowMs: 5 });
  });
  afterAll(async () => {
    await Promise.all((fleet ?? []).map((m) => m.stop()));
  });

  it('applies a request once whichever members it is sent to, at once or in turn', async () => {
    const sent: FlowRecord[][] = [];
    for (let i = 0; i < 4; i++) {
      const key = randomUUID();
      const records = batch(60, 10 + i);
      const answers = await Promise.all(fleet.map((m) => post(m, key, records)));
      expect(answers.map((a) => a.status).every((s) => s === 200 || s === 409)).toBe(true);
      for (const m of fleet) await post(m, key, records).expect(200);
      sent.push(records);
    }
    expect(await stored(fleet[0])).toEqual(sums(sent));
  });

  it('counts a request once in the fleet’s fas_flows_ingested_total, whichever members applied its parts', async () => {
    const key = randomUUID();
    const records = batch(60, 14);
    const total = async () => (await Promise.all(fleet.map(ingested))).reduce((a, b) => a + b, 0);
    const before = await total();
    for (const m of fleet) await post(m, key, records).expect(200);
    expect((await total()) - before).toBe(60);
  });
});

describe('Idempotency-Key across members that see the fleet differently', () => {
  let fleet: RunningService[];
  beforeAll(async () => {
    const database = uniqueDatabase();
    fleet = await startMembers(
      3,
      // Member 0 sees all three; member 1 has not seen member 2 join yet.
      ({ hopPort, peers, peerUrl }, i) => {
        const view = i === 1 ? peers.split(',').slice(0, 2).join(',') : peers;
        return startService({ mongodbDatabase: database, hopPort, peers: view, peerUrl, flushWindowMs: 20, hopWindowMs: 5 });
      },
      (member) => member.stop(),
    );
  });
  afterAll(async () => {
    await Promise.all((fleet ?? []).map((m) => m.stop()));
  });

  it('splits a repeat as the first attempt was split, so no part is applied twice', async () => {
    const key = randomUUID();
    const records = batch(90, 20);
    await post(fleet[0], key, records).expect(200);
    await post(fleet[1], key, records).expect(200);
    const other = randomUUID();
    const later = batch(90, 21);
    await post(fleet[1], other, later).expect(200);
    await post(fleet[0], other, later).expect(200);
    expect(await stored(fleet[2])).toEqual(sums([records, later]));
  });
});

describe('Idempotency-Key in a fleet whose owner’s store stalls', () => {
  let fleet: RunningService[];
  let proxy: PausableProxy;
  beforeAll(async () => {
    let uri: string;
    ({ proxy, uri } = await proxyToSuiteStore());
    fleet = await startFleet(2, { flushWindowMs: 5, hopWindowMs: 5, flushTimeoutMs: 1000 }, (i) => (i === 1 ? { mongodbUri: uri } : {}));
    await waitFor(() => fleet[1].connection.ready);
  });
  afterAll(async () => {
    proxy?.resume();
    await Promise.all((fleet ?? []).map((m) => m.stop()));
    await proxy?.close();
  });

  it('answers 503 for the part the owner did not acknowledge, and the retry applies it once', async () => {
    const key = randomUUID();
    const records = batch(40, 40);
    proxy.pause();
    // Member 1's part is forwarded alone (no records without a key beside it) and refused after its flush timeout.
    expect((await post(fleet[0], key, records)).status).toBe(503);
    proxy.resume();
    await waitFor(async () => (await post(fleet[0], key, records)).status === 200);
    expect(await stored(fleet[0])).toEqual(sums([records]));
  });
});

describe('Idempotency-Key when the store stalls past the flush timeout', () => {
  let service: RunningService;
  let proxy: PausableProxy;
  beforeAll(async () => {
    let uri: string;
    ({ proxy, uri } = await proxyToSuiteStore());
    service = await startService({ mongodbUri: uri, flushWindowMs: 5, flushTimeoutMs: 1000, idempotencyLeaseMs: 3000 });
  });
  afterAll(async () => {
    proxy?.resume();
    await service?.stop();
    await proxy?.close();
  });

  it('answers 503, and the retries find the stalled flush and apply nothing twice', async () => {
    const requests = [batch(20, 30), batch(20, 31)];
    const keys = requests.map(() => randomUUID());
    proxy.pause();
    const stalled = await Promise.all(requests.map((r, i) => post(service, keys[i], r)));
    expect(stalled.map((a) => a.status)).toEqual([503, 503]);
    // Retried while the store still hangs: still not acknowledged, still not applied twice.
    const again = await Promise.all(requests.map((r, i) => post(service, keys[i], r)));
    expect(again.every((a) => a.status === 503 || a.status === 409)).toBe(true);
    proxy.resume();
    for (let i = 0; i < requests.length; i++) {
      await waitFor(async () => (await post(service, keys[i], requests[i])).status === 200);
    }
    expect(await stored(service)).toEqual(sums(requests));
  });
});
