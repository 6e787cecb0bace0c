import { Document, MongoClient } from 'mongodb';
import { flowKeyId, incrementMaxBytes, incrementTotals } from '../../app/query/flows';
import { updateStatements } from '../../app/storage/updateCommand';
import { uniqueDatabase } from '../support/service';
import { StoreUnderTest, storesUnderTest } from '../support/storesUnderTest';


/**
 * What FAS needs of every MongoDB-wire store it runs or is measured on (on FerretDB, what
 * scripts/ferretdb-patches/ makes true): each update is atomic, an update command never waits for itself, and
 * a refused statement is reported as itself while the others apply. Each test fails on FerretDB 1.24.2 as
 * released; the last one also fails if a driver upgrade moves the refused statements in the reply.
 */
describe.each(storesUnderTest)('%s under several writers', (_name, start) => {
  const clients: MongoClient[] = [];
  const database = uniqueDatabase();
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await start();
    for (let i = 0; i < 3; i++) clients.push(await new MongoClient(store.uri, { maxPoolSize: 4 }).connect());
  }, 300_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await store.stop();
  });
  const collection = (client: MongoClient, name: string) => client.db(database).collection<{ _id: string } & Document>(name);

  it.each([2, 3])('keeps every increment of %i connections adding to one document at once', async (writers) => {
    const name = `inc${writers}`;
    const perWriter = 200;
    await Promise.all(
      clients.slice(0, writers).map(async (client) => {
        const c = collection(client, name);
        for (let i = 0; i < perWriter; i++) await c.updateOne({ _id: 'k' }, { $inc: { n: 1 } }, { upsert: true });
      }),
    );
    expect(await collection(clients[0], name).find().toArray()).toEqual([{ _id: 'k', n: writers * perWriter }]);
  }, 120_000);

  it('keeps every increment of the service’s own update commands sent by 3 connections at once', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => ({ hour: 1, src_app: `s${i}`, dest_app: 'd', vpc_id: 'v' }));
    const statements = keys.map((k) => incrementTotals(flowKeyId(k), k, 1, 2));
    const rounds = 20;
    await Promise.all(
      clients.map(async (client) => {
        const c = collection(client, 'commands');
        for (let r = 0; r < rounds; r++) expect(await updateStatements(client, c, statements, incrementMaxBytes)).toEqual([]);
      }),
    );
    const docs = await collection(clients[0], 'commands').find({}, { projection: { _id: 0, bytes_tx: 1, bytes_rx: 1 } }).toArray();
    expect(docs).toEqual(keys.map(() => ({ bytes_tx: 3 * rounds, bytes_rx: 6 * rounds })));
  }, 120_000);

  it('answers an update command whose statements all match existing documents, however many', async () => {
    // FerretDB 1.24.2 held a pooled connection per matching statement until the command ended: a command with
    // more of them than its pool of 100 waited for itself, and the database answered nothing more.
    const c = collection(clients[0], 'many');
    const keys = Array.from({ length: 300 }, (_, i) => ({ hour: 2, src_app: `s${i}`, dest_app: 'd', vpc_id: 'v' }));
    const statements = keys.map((k) => incrementTotals(flowKeyId(k), k, 1, 1));
    for (let round = 0; round < 2; round++) expect(await updateStatements(clients[0], c, statements, incrementMaxBytes)).toEqual([]);
    expect(await c.countDocuments({ bytes_tx: 2n }, { maxTimeMS: 20_000 })).toBe(300);
  }, 120_000);

  it('reports a refused statement by its own index, and applies the others', async () => {
    const c = collection(clients[0], 'refused');
    const keys = Array.from({ length: 5 }, (_, i) => ({ hour: 3, src_app: `s${i}`, dest_app: 'd', vpc_id: 'v' }));
    // A document whose total is not a number: $inc cannot add to it, on MongoDB or any store that mimics it.
    await c.insertOne({ _id: flowKeyId(keys[3]), ...keys[3], bytes_tx: 'broken', bytes_rx: 0n });
    const statements = keys.map((k) => incrementTotals(flowKeyId(k), k, 7, 7));
    const refused = await updateStatements(clients[0], c, statements, incrementMaxBytes);
    expect(refused.map((e) => e.index)).toEqual([3]);
    expect(refused[0].code).toBeGreaterThan(0);
    const applied = await c.find({ bytes_tx: 7n }, { projection: { _id: 0, src_app: 1 } }).sort({ src_app: 1 }).toArray();
    expect(applied).toEqual(['s0', 's1', 's2', 's4'].map((src_app) => ({ src_app })));
  }, 60_000);
});
