import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { FlowCollections } from '../../app/storage/flowCollections';
import { FlushReport } from '../../app/storage/groupCommit';
import { expectedTotals, member, partOf, STEPS, storedTotals } from '../support/keyedMember';
import { mongoUri, uniqueDatabase } from '../support/service';
import { StoreUnderTest, storesUnderTest } from '../support/storesUnderTest';

const HOUR = 410_000;
const LEASE_MS = 1000;

function records(seed: number): FlowRecord[] {
  return Array.from({ length: 24 }, (_, i) => ({
    src_app: `src-${i % 5}`,
    dest_app: `dest-${i % 8}`,
    vpc_id: `vpc-${i % 2}`,
    bytes_tx: seed * 100 + i + 1,
    bytes_rx: seed * 300 + 3 * i,
    hour: HOUR,
  }));
}


/**
 * A member dies at each step of a flush with an idempotency key; another member's janitor finds its lease
 * run out and completes the flush from its journal; the client's retry, sent to that member, applies nothing
 * twice. Every key document and every roll-up holds each request exactly once.
 */
describe.each(storesUnderTest)('a flush left half done on %s', (_name, startStore) => {
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await startStore();
  });
  afterAll(() => store?.stop());

  // A flush of one request carries its journal in its slot's document; one of two, chunked a request a chunk,
  // in the journal collection.
  const journals = [
    ['in its slot', 1],
    ['in the journal collection', 2],
  ] as const;
  it.each(STEPS.flatMap((step) => journals.map(([where, requests]) => [step, where, requests] as const)))(
    'is completed once when its member dies after the %s, its journal %s',
    async (step, _where, requests) => {
      const database = uniqueDatabase();
      const dyingClient = new MongoClient(store.uri);
      const survivorClient = new MongoClient(store.uri);
      try {
        const dyingCollections = new FlowCollections(dyingClient.db(database), 'flows');
        const collections = new FlowCollections(survivorClient.db(database), 'flows');
        await collections.ensureIndexes();
        const dying = member(dyingClient, dyingCollections, `dying-${randomUUID()}`, { leaseMs: LEASE_MS, dying: step, journalRowsPerChunk: 24 });
        const survivor = member(survivorClient, collections, `survivor-${randomUUID()}`, { leaseMs: LEASE_MS });

        // The survivor has written before: its own slot and flushes are in the way of nothing.
        const earlier = records(1);
        expect(await survivor.store.ingestPart(partOf(randomUUID(), earlier))).toEqual({ kind: 'applied' });

        const sent = Array.from({ length: requests }, (_, r) => ({ key: randomUUID(), records: records(2 + r) }));
        const sending = sent.map(({ key, records }) => dying.store.ingestPart(partOf(key, records)));
        for (const outcome of sending) await expect(outcome).rejects.toThrow('the write to MongoDB failed');
        // One chunk a request, unless the journal is in the slot, or the flush completed and deleted it.
        expect(await collections.journal.countDocuments()).toBe(requests > 1 && step !== 'complete' ? 2 : 0);
        // The member is gone: its connection closes, its lease runs out.
        await dyingClient.close(true);
        await sleep(LEASE_MS * 1.5);

        const sweep = await survivor.janitor.sweep();
        expect(sweep.error).toBeUndefined();
        // Before `begin` no flush was in flight: nothing to recover, nothing applied; after `complete`, nothing left.
        expect(sweep.recovered).toBe(step === 'journal' || step === 'complete' ? 0 : 1);

        // The client retries each request; the survivor applies it only if nothing of it was.
        for (const { key, records } of sent) {
          expect(await survivor.store.ingestPart(partOf(key, records))).toEqual({ kind: step === 'journal' ? 'applied' : 'done' });
          await survivor.store.ingestPart(partOf(key, records));
        }

        expect(await storedTotals(collections)).toEqual(expectedTotals([earlier, ...sent.map((r) => r.records)]));
        await survivor.store.drain();
        await survivor.flushes.close();
        // Every slot is free again, nothing in flight, and no journal is left but an orphan (a flush never begun).
        expect(await collections.writers.countDocuments({ inFlight: { $ne: null } })).toBe(0);
        expect(await collections.journal.countDocuments()).toBe(step === 'journal' && requests > 1 ? 2 : 0);
      } finally {
        await dyingClient.close(true);
        await survivorClient.db(database).dropDatabase();
        await survivorClient.close();
      }
    },
  );
});

describe('a keyed flush’s report', () => {
  it('counts the distinct keys its parts hold, and each part’s outcome', async () => {
    const client = new MongoClient(mongoUri());
    const database = uniqueDatabase();
    try {
      const collections = new FlowCollections(client.db(database), 'flows');
      await collections.ensureIndexes();
      const reports: FlushReport[] = [];
      const { store, flushes } = member(client, collections, randomUUID(), { leaseMs: LEASE_MS, onFlush: (r) => reports.push(r) });
      // Two requests over the same 24 keys, in one flush.
      const outcomes = await Promise.all([store.ingestPart(partOf('a', records(3))), store.ingestPart(partOf('b', records(4)))]);
      expect(outcomes).toEqual([{ kind: 'applied' }, { kind: 'applied' }]);
      expect(reports.map(({ records, keys, parts, outcomes }) => ({ records, keys, parts, outcomes }))).toEqual([
        { records: 48, keys: 24, parts: 2, outcomes },
      ]);
      await store.drain();
      await flushes.close();
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
    }
  });
});
