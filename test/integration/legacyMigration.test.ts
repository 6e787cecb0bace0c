import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Collection, Document, ObjectId } from 'mongodb';
import request from 'supertest';
import { FlowKey, flowKeyId } from '../../app/query/flows';
import { LEGACY_KEY_INDEX, LegacyFlowDocument, mergeLegacyStatement } from '../../app/query/legacyFlows';
import { hasLegacyDocuments, migrateLegacyDocuments } from '../../app/storage/legacyMigration';
import { updateStatements } from '../../app/storage/updateCommand';
import { RunningService, startService, withCollection, withMongo } from '../support/service';

const HOUR = 400_000;
const key = (i: number): FlowKey => ({ hour: HOUR + (i % 3), src_app: `old-${i}`, dest_app: 'd', vpc_id: 'v' });

/** What FAS 0.1 left: one document per key under a generated id, with a bucket, and its unique index. */
async function writeLegacy(collection: Collection<Document>, keys: number): Promise<LegacyFlowDocument[]> {
  const docs = Array.from({ length: keys }, (_, i) => ({
    _id: new ObjectId(),
    bucket: i % 16,
    ...key(i),
    bytes_tx: BigInt(1000 + i),
    bytes_rx: BigInt(2000 + i),
  }));
  await collection.createIndex({ bucket: 1, hour: 1, src_app: 1, dest_app: 1, vpc_id: 1 }, { name: LEGACY_KEY_INDEX, unique: true });
  await collection.insertMany(docs);
  return docs;
}

/** Every key's totals, however many documents hold it. */
async function totalsByKey(collection: Collection<Document>): Promise<Map<string, [bigint, bigint]>> {
  const totals = new Map<string, [bigint, bigint]>();
  for (const d of await collection.find({}, { useBigInt64: true }).toArray()) {
    const id = flowKeyId(d as unknown as FlowKey);
    const [tx, rx] = totals.get(id) ?? [0n, 0n];
    totals.set(id, [tx + BigInt(d.bytes_tx), rx + BigInt(d.bytes_rx)]);
  }
  return totals;
}

describe('moving the documents FAS 0.1 wrote', () => {
  let service: RunningService;
  beforeEach(async () => {
    service = await startService();
  });
  afterEach(async () => {
    await service.stop();
  });

  it('moves every old document into its key’s document once, while records arrive, and twice at once', async () => {
    await withMongo(service.settings.mongodbUri, async (client) => {
      const collection = client.db(service.settings.mongodbDatabase).collection(service.settings.mongodbCollection);
      const legacy = await writeLegacy(collection, 2_500);
      expect(await hasLegacyDocuments(collection)).toBe(true);
      const before = await totalsByKey(collection);

      // Records for the same keys arrive through the service during the migration, two runs of which race.
      const posted = Array.from({ length: 300 }, (_, i) => ({ ...key(i * 7), bytes_tx: 5, bytes_rx: 6 }));
      const [first, second, answers] = await Promise.all([
        migrateLegacyDocuments(client, collection),
        migrateLegacyDocuments(client, collection),
        Promise.all([0, 100, 200].map((start) => request(service.url).post('/flows').send(posted.slice(start, start + 100)))),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(first.moved + second.moved).toBeGreaterThanOrEqual(legacy.length);

      const expected = new Map(before);
      for (const r of posted) {
        const [tx, rx] = expected.get(flowKeyId(r)) ?? [0n, 0n];
        expected.set(flowKeyId(r), [tx + 5n, rx + 6n]);
      }
      expect(await totalsByKey(collection)).toEqual(expected);
      // One document per key, each under its key, and the old index gone.
      expect(await collection.countDocuments({ bucket: { $exists: true } })).toBe(0);
      expect(await collection.countDocuments({})).toBe(legacy.length);
      expect(await hasLegacyDocuments(collection)).toBe(false);
      expect(await migrateLegacyDocuments(client, collection)).toEqual({ moved: 0 });
    });
  }, 300_000);

  it('resumes a run stopped between a merge and its delete without counting anything twice', async () => {
    await withMongo(service.settings.mongodbUri, async (client) => {
      const collection = client.db(service.settings.mongodbDatabase).collection(service.settings.mongodbCollection);
      const legacy = await writeLegacy(collection, 50);
      const before = await totalsByKey(collection);
      // A run that merged the first 20 and stopped before deleting them.
      await updateStatements(client, collection, legacy.slice(0, 20).map(mergeLegacyStatement), () => 1000);
      await migrateLegacyDocuments(client, collection);
      expect(await totalsByKey(collection)).toEqual(before);
      expect(await collection.countDocuments({})).toBe(50);
    });
  }, 120_000);

  it('runs as `node dist/migrate.js` with the service’s settings, and the hour reads exactly after it', async () => {
    const legacy = await withCollection(service, (c) => writeLegacy(c, 30));
    const env = {
      PATH: process.env.PATH,
      MONGODB_URI: service.settings.mongodbUri,
      MONGODB_DATABASE: service.settings.mongodbDatabase,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../dist/migrate.js')], { env });
    expect(stdout).toContain('"message":"migration complete"');
    expect(stdout).toContain('"moved":30');
    const rows = (await request(service.url).get(`/flows?hour=${HOUR}`).expect(200)).body as { src_app: string; bytes_tx: number }[];
    const expected = legacy.filter((d) => d.hour === HOUR).map((d) => d.src_app).sort();
    expect(rows.map((r) => r.src_app)).toEqual(expected);
    for (const row of rows) expect(row.bytes_tx).toBe(Number(legacy.find((d) => d.src_app === row.src_app)!.bytes_tx));
  }, 120_000);
});
