import { CommandStartedEvent, Document, MongoClient } from 'mongodb';
import { Aspect } from 'mongodb/lib/operations/operation';
import { flowKeyId, incrementMaxBytes, incrementTotals } from '../../app/query/flows';
import { updateOperation, updateStatements } from '../../app/storage/updateCommand';
import { mongoUri, uniqueDatabase } from '../support/service';

/**
 * updateStatements reaches into the driver (the update operation Collection.bulkWrite runs for each batch):
 * these tests fail if a driver upgrade changes what it sends or stops treating it as a retryable write.
 */
describe('updateStatements', () => {
  let client: MongoClient;
  const commands: Document[] = [];
  beforeAll(async () => {
    client = new MongoClient(mongoUri(), { monitorCommands: true, writeConcern: { w: 'majority', wtimeoutMS: 4000 } });
    client.on('commandStarted', (e: CommandStartedEvent) => {
      if (e.commandName === 'update') commands.push(e.command);
    });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
  });

  const statements = [1, 2, 3].map((i) => {
    const key = { hour: 7, src_app: `src-${i}`, dest_app: 'dest', vpc_id: 'vpc' };
    return incrementTotals(flowKeyId(key), key, i, 10n * BigInt(i));
  });
  // Session and cluster time differ from command to command; whether they are there must not.
  const comparable = (command: Document) =>
    Object.fromEntries(
      Object.entries(command).map(([k, v]) => [k, ['lsid', 'txnNumber', '$clusterTime'].includes(k) ? typeof v : v]),
    );

  it('sends the very command Collection.bulkWrite sends, and applies it', async () => {
    const collection = client.db(uniqueDatabase()).collection<{ _id: string }>('totals');
    const bulk = statements.map((s) => ({ updateOne: { filter: s.q, update: s.u, upsert: true } }));
    commands.length = 0;
    await collection.bulkWrite(bulk, { ordered: false });
    expect(await updateStatements(client, collection, statements, incrementMaxBytes)).toEqual([]);
    expect(commands).toHaveLength(2);
    expect(comparable(commands[1])).toEqual(comparable(commands[0]));
    expect(commands[1]).toMatchObject({ update: 'totals', ordered: false, writeConcern: { w: 'majority', wtimeout: 4000 } });
    const rows = await collection.find({}, { projection: { _id: 0, src_app: 1, bytes_tx: 1, bytes_rx: 1 } }).sort({ src_app: 1 }).toArray();
    expect(rows).toEqual([1, 2, 3].map((i) => ({ src_app: `src-${i}`, bytes_tx: 2 * i, bytes_rx: 20 * i })));
  });

  it('is a retryable write to the driver: one retry, under the same transaction number, after a failover', () => {
    const operation = updateOperation(client.db('any').collection('totals'), statements);
    expect(operation.hasAspect(Aspect.RETRYABLE)).toBe(true);
    expect(operation.hasAspect(Aspect.WRITE_OPERATION)).toBe(true);
    expect(operation.canRetryWrite).toBe(true);
  });
});
