import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { FlowRecord } from '../../app/data/flow';
import { hourAt } from '../../app/data/retention';
import { expectedRows } from '../support/flowReads';
import { keyDocument, mongoUri, RunningService, startService, uniqueDatabase, waitFor, withMongo } from '../support/service';

const OLD = 400_000;

/** `node dist/migrate.js` on a database: its log lines. */
async function migrate(database: string): Promise<string> {
  const env = { PATH: process.env.PATH, MONGODB_URI: mongoUri(), MONGODB_DATABASE: database };
  return (await promisify(execFile)(process.execPath, [join(__dirname, '../../dist/migrate.js')], { env })).stdout;
}

const coveredFrom = (log: string) => Number(/"rollupsCoverFromHour":(\d+)/.exec(log)?.[1]);
const record = (src: string, hour: number, bytes: number): FlowRecord => ({
  src_app: src,
  dest_app: 'd',
  vpc_id: 'v',
  bytes_tx: bytes,
  bytes_rx: 2 * bytes,
  hour,
});

/** The read's one page, checked against the sums of the records, and the collection the service read. */
async function readExactly(service: RunningService, records: FlowRecord[], from: number, to: number): Promise<string> {
  const plan = await service.reads.plan({ from, to, filters: {}, by: ['src_app'] });
  const res = await request(service.url).get(`/flows?from=${from}&to=${to}&by=src_app&sort=bytes`).expect(200);
  expect(res.text).toBe(`[${expectedRows(records, { from, to, by: ['src_app'], sort: 'bytes' }).join(',')}]`);
  return plan.rollup?.name ?? 'key documents';
}

describe('the hours the roll-ups cover', () => {
  let service: RunningService | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('are every hour for a collection that is empty when this version first starts', async () => {
    service = await startService();
    await request(service.url).post('/flows').send([record('a', 0, 1), record('b', 30, 2)]).expect(200);
    expect(await readExactly(service, [record('a', 0, 1), record('b', 30, 2)], 0, 47)).toBe('by_src_app');
  });

  it('start, for an upgraded deployment, where `node dist/migrate.js` says, run twice and while records arrive; reads are exact throughout', async () => {
    const database = uniqueDatabase();
    // What a version without roll-ups left: key documents only.
    const old = [record('a', OLD, 5), record('b', OLD + 1, 7), record('a', OLD + 3, 11)];
    await withMongo(mongoUri(), (client) =>
      client
        .db(database)
        .collection('flows_hourly')
        .insertMany(old.map((r) => keyDocument(r, BigInt(r.bytes_tx), BigInt(r.bytes_rx)))),
    );
    service = await startService({ mongodbDatabase: database });
    const records = [...old];
    expect(await readExactly(service, records, OLD, OLD + 3)).toBe('key documents');

    const next = hourAt(Date.now()) + 1;
    const arriving = [record('a', OLD + 2, 3), record('c', next, 13), record('a', next + 1, 17)];
    const [first, second] = await Promise.all([
      migrate(database),
      migrate(database),
      ...arriving.map((r) => request(service!.url).post('/flows').send([r]).expect(200)),
    ]);
    records.push(...arriving);
    // The first run's hour stands: the hour after every record written so far, and after the current one.
    const since = coveredFrom(first);
    expect(since).toBeGreaterThanOrEqual(next);
    expect([coveredFrom(second), coveredFrom(await migrate(database))]).toEqual([since, since]);

    // Replicas see it within seconds; then the covered hours come from the roll-ups, the others never do.
    await waitFor(async () => (await service!.reads.plan({ from: since, to: since, filters: {}, by: ['src_app'] })).rollup !== undefined);
    const later = [record('c', since, 19), record('d', since + 1, 23)];
    await request(service.url).post('/flows').send(later).expect(200);
    records.push(...later);
    expect(await readExactly(service, records, since, since + 1)).toBe('by_src_app');
    expect(await readExactly(service, records, OLD, OLD + 3)).toBe('key documents');
    expect(await readExactly(service, records, since - 1, since + 1)).toBe('key documents');
  }, 300_000);
});
