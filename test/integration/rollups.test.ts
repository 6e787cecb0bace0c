import request from 'supertest';
import { FlowRecord } from '../../app/data/flow';
import { keyDocumentsPlan } from '../../app/reads/readPlan';
import { expectedRollups, storedRollups } from '../support/rollupDocuments';
import { RunningService, startService } from '../support/service';

const HOUR = 430_000; // 430,008 starts a UTC day
const MAX = Number.MAX_SAFE_INTEGER;

describe('roll-ups written with every flush', () => {
  let replicas: RunningService[] = [];
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    replicas = [];
  });

  it('hold every acknowledged record once, with several replicas upserting the same new documents at once', async () => {
    const first = await startService();
    replicas = [first, ...(await Promise.all([1, 2].map(() => startService({ mongodbDatabase: first.settings.mongodbDatabase }))))];
    // Every replica posts the same batches at once: each flush upserts the same new documents as the others'.
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 60 }, (_, i): FlowRecord => ({
        src_app: `s${i % 4}`,
        dest_app: `d${(i + b) % 5}`,
        vpc_id: `v${i % 2}`,
        bytes_tx: i + b,
        bytes_rx: 2 * i,
        hour: HOUR + 6 + ((i + b) % 4),
      })),
    );
    for (const batch of batches) {
      const answers = await Promise.all(replicas.map((r) => request(r.url).post('/flows').send(batch)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    }
    const posted = replicas.flatMap(() => batches.flat());
    expect(await storedRollups(first)).toEqual(expectedRollups(posted));
  }, 300_000);

  it('keep a total past 2^63 - 1 as a double: the record is acknowledged, and every read summing it refuses', async () => {
    const service = await startService();
    replicas = [service];
    // 1,100 keys of 2^53 - 1 in one hour: each key fits, the hour's total and the day's do not.
    const big = Array.from({ length: 1100 }, (_, i): FlowRecord => ({
      src_app: `big-${i}`,
      dest_app: 'sink',
      vpc_id: 'v',
      bytes_tx: MAX,
      bytes_rx: 1,
      hour: HOUR + 9,
    }));
    for (let i = 0; i < big.length; i += 275) await request(service.url).post('/flows').send(big.slice(i, i + 275)).expect(200);
    const later = { src_app: 'late', dest_app: 'sink', vpc_id: 'v', bytes_tx: 5, bytes_rx: 6, hour: HOUR + 9 };
    await request(service.url).post('/flows').send([later]).expect(200);

    const stored = await storedRollups(service);
    const expected = expectedRollups([...big, later]);
    // Each app's own totals are exact; the hour's and the day's bytes_tx are past 2^63 - 1, their bytes_rx exact.
    expect(stored.by_src_app).toEqual(expected.by_src_app);
    for (const key of Object.keys(expected.total)) {
      expect(stored.total[key].rx).toBe(expected.total[key].rx);
      expect(Number(stored.total[key].tx)).toBeCloseTo(Number(expected.total[key].tx), -5);
    }

    // The total roll-up answers by=hour; the key documents, forced, answer the same refusal.
    const byHour = `from=${HOUR + 8}&to=${HOUR + 10}&by=hour`;
    const refusal = await request(service.url).get(`/flows?${byHour}`).expect(422);
    expect(refusal.body.error).toBe('sum_overflow');
    const query = { from: HOUR + 8, to: HOUR + 10, filters: {}, by: ['hour' as const] };
    await expect(service.reads.page({ query, limit: 10 }, keyDocumentsPlan(query))).rejects.toMatchObject({ code: 'sum_overflow' });
    // Rows that do not sum it are exact.
    const late = await request(service.url).get(`/flows?from=${HOUR}&to=${HOUR + 30}&by=src_app&src_app=late`).expect(200);
    expect(late.text).toBe('[{"src_app":"late","bytes_tx":5,"bytes_rx":6}]');
  }, 300_000);
});
