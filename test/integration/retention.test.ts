import request from 'supertest';
import { Document } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { SWEEP_CHUNK } from '../../app/storage/retentionSweep';
import { expectedRows } from '../support/flowReads';
import { expectedRollups, storedRollups } from '../support/rollupDocuments';
import { metricSample, keyDocument, RunningService, startService, waitFor, withCollection } from '../support/service';

const HOUR_MS = 3_600_000;
const NOW_HOUR = 490_000; // 2025-11-24T16:00Z
const RETENTION = 24;

/** Key documents written straight into the collection: `keys` keys from `src` in each of `hours`. */
function keyDocuments(hours: number[], keys: number, src: string): Document[] {
  return hours.flatMap((hour) =>
    Array.from({ length: keys }, (_, i) => {
      return keyDocument({ hour, src_app: `${src}-${i}`, dest_app: 'db', vpc_id: 'v' }, 1n, 2n);
    }),
  );
}

const hoursStored = (service: RunningService) =>
  withCollection(service, async (c) => (await c.distinct('hour')).sort((a, b) => a - b));

const metric = async (service: RunningService, series: string) =>
  metricSample((await request(service.url).get('/metrics')).text, series);
const deletedMetric = (service: RunningService) => metric(service, 'fas_retention_deleted_total');
const deleteCommands = (service: RunningService) =>
  metric(service, 'fas_mongodb_write_commands_total{command="delete"}');

describe('retention', () => {
  let clock = NOW_HOUR * HOUR_MS + 1000;
  let service: RunningService;

  beforeAll(async () => {
    // A long interval: these tests sweep when they choose.
    service = await startService(
      { retentionHours: RETENTION, retentionSweepIntervalMs: 86_400_000 },
      { now: () => clock },
    );
  });
  afterAll(async () => {
    await service.stop();
  });

  it('refuses a POST holding a record past retention, naming it, and stores none of the batch', async () => {
    const oldest = NOW_HOUR - RETENTION;
    const batch = [oldest, oldest - 1, NOW_HOUR].map((hour) => ({
      src_app: 'late',
      dest_app: 'db',
      vpc_id: 'v',
      bytes_tx: 1,
      bytes_rx: 1,
      hour,
    }));
    const res = await request(service.url).post('/flows').send(batch).expect(400);
    expect(res.body).toEqual({
      error: 'invalid_record',
      index: 1,
      field: 'hour',
      message: `record 1: hour ${oldest - 1} is past the retention of 24 hours (RETENTION_HOURS): the oldest hour kept is ${oldest}`,
    });
    expect(await withCollection(service, (c) => c.countDocuments({ src_app: 'late' }))).toBe(0);
    await request(service.url).post('/flows').send([batch[0], batch[2]]).expect(200, { accepted: 2 });
  });

  it('deletes every hour past retention in chunks, counts what it deleted, and keeps the rest', async () => {
    const oldest = NOW_HOUR - RETENTION;
    const expired = [oldest - 30, oldest - 2, oldest - 1];
    const kept = [oldest, oldest + 1, NOW_HOUR];
    // More than two chunks' worth of expired documents.
    const perHour = Math.ceil((SWEEP_CHUNK * 2.5) / expired.length);
    // What earlier tests left past retention (the day documents of the oldest hour's day) goes first.
    await service.retention!.sweep();
    await withCollection(service, (c) => c.insertMany(keyDocuments([...expired, ...kept], perHour, 'chunked')));
    const [deletedBefore, commandsBefore] = [await deletedMetric(service), await deleteCommands(service)];

    expect(await service.retention!.sweep()).toBe(expired.length * perHour);

    expect(await hoursStored(service)).toEqual(kept);
    expect((await deletedMetric(service)) - deletedBefore).toBe(expired.length * perHour);
    expect((await deleteCommands(service)) - commandsBefore).toBe(Math.ceil((expired.length * perHour) / SWEEP_CHUNK));
    expect(await service.retention!.sweep()).toBe(0);
  });

  it('follows the clock: an hour later the oldest kept hour is gone too', async () => {
    const oldest = NOW_HOUR - RETENTION;
    await withCollection(service, (c) => c.insertMany(keyDocuments([oldest, oldest + 1], 3, 'clock')));
    clock += HOUR_MS;
    try {
      await service.retention!.sweep();
      expect(await hoursStored(service)).not.toContain(oldest);
      expect(await hoursStored(service)).toContain(oldest + 1);
      const res = await request(service.url).post('/flows').send([
        { src_app: 'a', dest_app: 'b', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: oldest },
      ]);
      expect([res.status, res.body.index, res.body.field]).toEqual([400, 0, 'hour']);
    } finally {
      clock -= HOUR_MS;
    }
  });

  it('is safe with several replicas sweeping at once: each document deleted and counted once', async () => {
    const others = await Promise.all(
      [1, 2].map(() =>
        startService(
          {
            mongodbDatabase: service.settings.mongodbDatabase,
            retentionHours: RETENTION,
            retentionSweepIntervalMs: 86_400_000,
          },
          { now: () => clock },
        ),
      ),
    );
    try {
      const oldest = NOW_HOUR - RETENTION;
      const docs = keyDocuments([oldest - 5, oldest - 4], 1200, 'replicas');
      await withCollection(service, (c) => c.insertMany(docs));
      const counts = await Promise.all([service, ...others].map((s) => s.retention!.sweep()));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(docs.length);
      expect((await hoursStored(service)).every((h) => h >= oldest)).toBe(true);
    } finally {
      await Promise.all(others.map((s) => s.stop()));
    }
  });
});

describe('retention of the roll-ups', () => {
  it("deletes every roll-up document of an expired hour, a day's with its first hour; reads of the hours kept stay exact", async () => {
    // Hour 490,000 is 16 hours into its UTC day: 48 hours kept start 16 hours into a day too.
    let clock = NOW_HOUR * HOUR_MS + 1000;
    const retention = 48;
    const service = await startService({ retentionHours: retention, retentionSweepIntervalMs: 86_400_000 }, { now: () => clock });
    try {
      const oldest = NOW_HOUR - retention;
      const records = Array.from({ length: 300 }, (_, i): FlowRecord => ({
        src_app: `s${i % 5}`,
        dest_app: `d${i % 3}`,
        vpc_id: `v${i % 2}`,
        bytes_tx: i,
        bytes_rx: 1,
        hour: oldest + (i % (retention + 1)),
      }));
      await request(service.url).post('/flows').send(records).expect(200);
      const read = async (from: number, kept: FlowRecord[]) => {
        const res = await request(service.url).get(`/flows?from=${from}&to=${NOW_HOUR}&by=src_app&sort=bytes_tx`).expect(200);
        expect(res.text).toBe(`[${expectedRows(kept, { from, to: NOW_HOUR, by: ['src_app'], sort: 'bytes_tx' }).join(',')}]`);
      };
      await read(oldest, records);

      clock += 10 * HOUR_MS;
      await service.retention!.sweep();
      const newOldest = oldest + 10;
      const kept = records.filter((r) => r.hour >= newOldest);
      const expected = expectedRollups(kept);
      // The day that starts before the oldest hour kept goes whole; the hours kept of it stay.
      for (const totals of Object.values(expected)) {
        for (const key of Object.keys(totals)) {
          const [hours, hour] = JSON.parse(key) as number[];
          if (hour < newOldest) delete totals[key];
          expect(hours === 24 || hour >= newOldest).toBe(true);
        }
      }
      expect(await storedRollups(service)).toEqual(expected);
      await read(newOldest, kept);
      await read(oldest - 30, kept);
    } finally {
      await service.stop();
    }
  });
});

describe('the periodic sweep', () => {
  it('runs by itself every RETENTION_SWEEP_INTERVAL_MS', async () => {
    const now = NOW_HOUR * HOUR_MS;
    const service = await startService({ retentionHours: 1, retentionSweepIntervalMs: 1000 }, { now: () => now });
    try {
      await withCollection(service, (c) => c.insertMany(keyDocuments([NOW_HOUR - 2, NOW_HOUR - 1], 5, 'periodic')));
      await waitFor(async () => (await hoursStored(service)).length === 1);
      expect(await hoursStored(service)).toEqual([NOW_HOUR - 1]);
    } finally {
      await service.stop();
    }
  });

  it('is off with RETENTION_HOURS 0: nothing is deleted and every hour is accepted', async () => {
    const service = await startService();
    try {
      expect(service.retention).toBeUndefined();
      await request(service.url)
        .post('/flows')
        .send([{ src_app: 'a', dest_app: 'b', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 0 }])
        .expect(200);
    } finally {
      await service.stop();
    }
  });
});
