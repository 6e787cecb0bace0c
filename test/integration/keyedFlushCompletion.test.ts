import { randomUUID } from 'node:crypto';
import { CommandStartedEvent, MongoClient } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { FlowCollections } from '../../app/storage/flowCollections';
import { expectedTotals, member, partOf, storedTotals } from '../support/keyedMember';
import { mongoUri, uniqueDatabase } from '../support/service';

const HOUR = 430_000;
const LEASE_MS = 60_000;

const records = (seed: number): FlowRecord[] =>
  Array.from({ length: 12 }, (_, i) => ({ src_app: `s${i % 3}`, dest_app: `d${i}`, vpc_id: 'v', bytes_tx: seed * 100 + i, bytes_rx: seed + i, hour: HOUR }));

/**
 * A keyed flush applied whole completes with the next flush's beginning, in the same update, or by itself
 * soon after when none follows (docs/exactly-once.md, step 5).
 */
describe('a keyed flush’s completion', () => {
  const database = uniqueDatabase();
  const client = new MongoClient(mongoUri(), { monitorCommands: true });
  const collections = new FlowCollections(client.db(database), 'flows');
  beforeAll(() => collections.ensureIndexes());
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('comes with the next flush’s beginning: flushes that follow each other send two commands besides their upserts', async () => {
    const commands: string[] = [];
    const listener = (e: CommandStartedEvent) => {
      if (e.commandName !== 'hello' && e.commandName !== 'endSessions') commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
    };
    // No flush completes by itself during the test.
    const { store, flushes } = member(client, collections, randomUUID(), { leaseMs: LEASE_MS, completionWaitMs: 600_000 });
    const sent = [1, 2, 3, 4].map(records);
    expect(await store.ingestPart(partOf(randomUUID(), sent[0]))).toEqual({ kind: 'applied' });
    client.on('commandStarted', listener);
    try {
      for (const r of sent.slice(1)) expect(await store.ingestPart(partOf(randomUUID(), r))).toEqual({ kind: 'applied' });
    } finally {
      client.off('commandStarted', listener);
    }
    // Each: the slot's update that begins it and completes the one before, the claims, the key documents, the roll-ups.
    const flush = ['update flows.writers', 'update flows.claims', 'update flows', 'update flows.rollups'];
    expect([...commands].sort()).toEqual([...flush, ...flush, ...flush].sort());
    expect(await collections.writers.countDocuments({ inFlight: { $ne: null } })).toBe(1);
    await store.drain();
    await flushes.close();
    expect(await collections.writers.countDocuments({ inFlight: { $ne: null } })).toBe(0);
    expect(await storedTotals(collections)).toEqual(expectedTotals(sent));
  });

  it('comes by itself when no flush follows: a repeat sent to another member is done', async () => {
    const first = member(client, collections, randomUUID(), { leaseMs: LEASE_MS });
    const second = member(client, collections, randomUUID(), { leaseMs: LEASE_MS, timeoutMs: 20_000 });
    const key = randomUUID();
    const sent = records(5);
    const before = await storedTotals(collections);
    expect(await first.store.ingestPart(partOf(key, sent))).toEqual({ kind: 'applied' });
    // The second member waits for the first's flush, which no later flush completes.
    expect(await second.store.ingestPart(partOf(key, sent))).toEqual({ kind: 'done' });
    const after = await storedTotals(collections);
    const added = expectedTotals([sent]);
    for (const [id, [tx, rx]] of added.keys) {
      const [tx0, rx0] = before.keys.get(id) ?? [0n, 0n];
      expect(after.keys.get(id)).toEqual([tx0 + tx, rx0 + rx]);
    }
    await Promise.all([first.store.drain(), second.store.drain()]);
    await Promise.all([first.flushes.close(), second.flushes.close()]);
  });
});
