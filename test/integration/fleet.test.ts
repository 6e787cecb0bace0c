import { createServer, Server, Socket } from 'node:net';
import { CommandStartedEvent } from 'mongodb';
import request from 'supertest';
import { FlowRecord } from '../../app/data/flow';
import { flowKeyId } from '../../app/query/flows';
import { PARTS_PATH } from '../../app/routing/peerLink';
import { freePort } from '../support/disposableMongo';
import { metricSample, RunningService, startFleet, startService } from '../support/service';

const HOUR = 300_000;

/** Batches as agents send them: each mixes keys every member owns. */
function batches(count: number, seed: number): FlowRecord[][] {
  return Array.from({ length: count }, (_, b) =>
    Array.from({ length: 50 }, (_, i) => ({
      src_app: `src-${(b * 7 + i) % 13}`,
      dest_app: `dest-${i}`,
      vpc_id: `vpc-${(seed + b) % 3}`,
      bytes_tx: 1 + b * 50 + i,
      bytes_rx: 2 * (1 + b * 50 + i),
      hour: HOUR,
    })),
  );
}

function sums(sent: FlowRecord[][]): Map<string, [number, number]> {
  const totals = new Map<string, [number, number]>();
  for (const r of sent.flat()) {
    const [tx, rx] = totals.get(flowKeyId(r)) ?? [0, 0];
    totals.set(flowKeyId(r), [tx + r.bytes_tx, rx + r.bytes_rx]);
  }
  return totals;
}

async function stored(member: RunningService): Promise<Map<string, [number, number]>> {
  const rows = (await request(member.url).get(`/flows?hour=${HOUR}`).expect(200)).body as (FlowRecord & { hour: number })[];
  return new Map(rows.map((r) => [flowKeyId(r), [r.bytes_tx, r.bytes_rx]]));
}

/** Posts every batch, round-robin over the members, a few at a time; resolves with the statuses. */
async function postRoundRobin(members: RunningService[], sent: FlowRecord[][]): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < sent.length; i += members.length * 2) {
    const wave = sent.slice(i, i + members.length * 2);
    const answers = await Promise.all(wave.map((b, j) => request(members[(i + j) % members.length].url).post('/flows').send(b)));
    statuses.push(...answers.map((a) => a.status));
  }
  return statuses;
}

const metric = async (member: RunningService, series: string) =>
  metricSample((await request(member.url).get('/metrics')).text, series);

describe('a fleet of three members', () => {
  let fleet: RunningService[];
  const writers = new Map<string, Set<number>>();
  beforeAll(async () => {
    fleet = await startFleet(3, { flushWindowMs: 100 });
    // Which member writes which key: the _ids of every update statement each member's client sends to the key
    // documents (every member adds its keys to the roll-ups too).
    fleet.forEach((member, i) =>
      member.connection.client.on('commandStarted', (e: CommandStartedEvent) => {
        if (e.commandName !== 'update' || e.command.update !== member.settings.mongodbCollection) return;
        for (const u of e.command.updates as { q: { _id: string } }[]) {
          if (!writers.has(u.q._id)) writers.set(u.q._id, new Set());
          writers.get(u.q._id)!.add(i);
        }
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(fleet.map((m) => m.stop()));
  });

  it('writes every key from one member only, and sums exactly what any member acknowledged', async () => {
    const sent = batches(30, 0);
    expect(await postRoundRobin(fleet, sent)).toEqual(sent.map(() => 200));
    expect(await stored(fleet[1])).toEqual(sums(sent));
    expect(writers.size).toBe(sums(sent).size);
    for (const members of writers.values()) expect(members.size).toBe(1);
    // Each member wrote a share of the keys, forwarded the rest, and received none it does not own.
    const shares = [0, 1, 2].map((i) => [...writers.values()].filter((m) => m.has(i)).length / writers.size);
    for (const share of shares) expect(share).toBeGreaterThan(0.15);
    for (const member of fleet) {
      expect(await metric(member, 'fas_hop_forwards_total{outcome="acknowledged"}')).toBeGreaterThan(0);
      expect(await metric(member, 'fas_hop_not_owned_keys_total')).toBe(0);
      expect(await metric(member, 'fas_fleet_members')).toBe(3);
    }
  });

  it('takes forwarded parts on the members’ own port only, never the public one', async () => {
    await request(fleet[0].url).post(PARTS_PATH).send({ records: 1, rows: [[HOUR, 'a', 'b', 'v', 1, 1]] }).expect(404);
  });

  it('checks a forwarded part as strictly as a batch, and says nothing of it was applied', async () => {
    const hop = fleet[0].settings.peerUrl;
    const refused = await request(hop)
      .post(PARTS_PATH)
      .send({ records: 1, rows: [[HOUR, 'a', 'b', 'v', -1, 1]] })
      .expect(400);
    expect(refused.body).toMatchObject({ error: 'invalid_part', applied: 'no' });
    await request(hop).post(PARTS_PATH).set('content-type', 'text/plain').send('x').expect(415);
    const ok = await request(hop).post(PARTS_PATH).send({ records: 3, rows: [[HOUR, 'part', 'b', 'v', 7, '9007199254740993']] });
    expect(ok.status).toBe(200);
    expect((await stored(fleet[2])).get(flowKeyId({ hour: HOUR, src_app: 'part', dest_app: 'b', vpc_id: 'v' }))).toEqual([7, 9007199254740992]);
  });
});

describe('a member that cannot take its part', () => {
  it('is written around when it refuses connections: nothing was sent to it', async () => {
    const fleet = await startFleet(3, { flushWindowMs: 20 });
    await fleet[2].stop();
    try {
      const sent = batches(12, 1);
      expect(await postRoundRobin(fleet.slice(0, 2), sent)).toEqual(sent.map(() => 200));
      expect(await stored(fleet[0])).toEqual(sums(sent));
      expect(await metric(fleet[0], 'fas_hop_forwards_total{outcome="unreachable"}')).toBeGreaterThan(0);
    } finally {
      await Promise.all(fleet.slice(0, 2).map((m) => m.stop()));
    }
  });

  it('is written around when it refuses the part before applying any of it (its MongoDB is away)', async () => {
    const deadPort = await freePort();
    const fleet = await startFleet(2, { flushWindowMs: 20 }, (i) => (i === 1 ? { mongodbUri: `mongodb://127.0.0.1:${deadPort}/` } : {}));
    try {
      const sent = batches(6, 2);
      expect(await postRoundRobin([fleet[0]], sent)).toEqual(sent.map(() => 200));
      expect(await stored(fleet[0])).toEqual(sums(sent));
      expect(await metric(fleet[0], 'fas_hop_forwards_total{outcome="refused"}')).toBeGreaterThan(0);
    } finally {
      await Promise.all(fleet.map((m) => m.stop()));
    }
  }, 60_000);

  it('costs at most the hop timeout when it takes the part and never answers, and the answer is 503', async () => {
    // A member that accepts connections and reads everything, but never answers.
    const sockets = new Set<Socket>();
    const hole: Server = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    const holePort = await freePort();
    await new Promise<void>((resolve) => hole.listen(holePort, '127.0.0.1', resolve));
    const hopPort = await freePort();
    const self = `http://127.0.0.1:${hopPort}`;
    const member = await startService({ hopPort, peers: `${self},http://127.0.0.1:${holePort}`, peerUrl: self, hopTimeoutMs: 1500 });
    try {
      const started = Date.now();
      const res = await request(member.url).post('/flows').send(batches(1, 3)[0]);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('storage_unavailable');
      expect(res.headers['retry-after']).toBe('1');
      // The hop timeout plus scheduling slack, far from the flush timeout (10 s) or forever.
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(await metric(member, 'fas_hop_forwards_total{outcome="failed"}')).toBe(1);
    } finally {
      await member.stop();
      for (const socket of sockets) socket.destroy();
      hole.close();
    }
  });
});
