import request from 'supertest';
import { FlowRecord } from '../../app/data/flow';
import { hourAt } from '../../app/data/retention';
import { flowKeyId } from '../../app/query/flows';
import { RunningService, startService } from '../support/service';

/**
 * A newcomer's try-out on the embedded store: thousands of records of a realistic mix over a growing
 * collection, in batches of 100 and 500, then reads and more writes. On FerretDB 1.24.2 as released the
 * batches slowed down with every document stored, then the first flush of a few hundred existing keys
 * froze the store for good (scripts/ferretdb-patches/update-one-statement-at-a-time.patch).
 */
describe('a try-out of thousands of records', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service.stop();
  });

  /** The 25 hours up to the current one, as a try-out would send them. */
  const firstHour = hourAt(Date.now()) - 24;

  /** 20 apps talking to each other in 3 VPCs over 25 hours, drawn by a fixed sequence. */
  function mix(count: number, seed: number): FlowRecord[] {
    let state = seed;
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    return Array.from({ length: count }, () => ({
      src_app: `app-${next(20)}`,
      dest_app: `app-${next(20)}`,
      vpc_id: `vpc-${next(3)}`,
      bytes_tx: 1 + next(100_000),
      bytes_rx: 1 + next(100_000),
      hour: firstHour + next(25),
    }));
  }

  const sums = new Map<string, { tx: number; rx: number }>();
  async function post(records: FlowRecord[]): Promise<number> {
    const res = await request(service.url).post('/flows').send(records);
    if (res.status === 200) {
      for (const r of records) {
        const id = flowKeyId(r);
        const sum = sums.get(id) ?? { tx: 0, rx: 0 };
        sum.tx += r.bytes_tx;
        sum.rx += r.bytes_rx;
        sums.set(id, sum);
      }
    }
    return res.status;
  }

  it('acknowledges every batch as the collection grows, and stores every total exactly', async () => {
    const records = mix(6_000, 7);
    const batches = Array.from({ length: 60 }, (_, i) => records.slice(i * 100, (i + 1) * 100));
    // Four clients at a time, as a few agents would post.
    const statuses: number[] = [];
    for (let i = 0; i < batches.length; i += 4) statuses.push(...(await Promise.all(batches.slice(i, i + 4).map(post))));
    expect(statuses).toEqual(batches.map(() => 200));

    // Batches of 500 over keys that all exist by now: flushes of hundreds of existing documents each.
    const again = records.slice(0, 2_000);
    expect(await Promise.all([0, 500, 1_000, 1_500].map((start) => post(again.slice(start, start + 500))))).toEqual([200, 200, 200, 200]);

    // Reads and writes still answer, and every key holds exactly what was acknowledged.
    const stored = new Map<string, { tx: number; rx: number }>();
    for (let hour = firstHour; hour < firstHour + 25; hour++) {
      const rows = (await request(service.url).get(`/flows?hour=${hour}`).expect(200)).body as (FlowRecord & { bytes_tx: number })[];
      for (const row of rows) stored.set(flowKeyId(row), { tx: row.bytes_tx, rx: row.bytes_rx });
    }
    expect(stored).toEqual(sums);
    expect(await post(mix(100, 11))).toBe(200);
  }, 300_000);
});
