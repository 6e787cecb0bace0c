import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { FlushJournal } from '../../app/exactlyOnce/flushJournal';
import { WriterSlot } from '../../app/exactlyOnce/writerSlot';
import { FlowCollections } from '../../app/storage/flowCollections';
import { FlowTotals } from '../../app/storage/flowTotals';
import { FlushContent } from '../../app/storage/flushContent';
import { mongoUri, uniqueDatabase } from '../support/service';

const totals = (keys: number, seed: number): FlowTotals => {
  const t = new FlowTotals();
  t.add(Array.from({ length: keys }, (_, i) => ({ src_app: `s${seed}`, dest_app: `d${i}`, vpc_id: 'v', bytes_tx: i + seed, bytes_rx: 2 ** 53 - 1 - i, hour: 7 })));
  return t;
};

const entries = (t: FlowTotals) => [...t.byKey].map(([k, v]) => [k, BigInt(v.bytesTx), BigInt(v.bytesRx)]);

/**
 * What a recovery reads is what the flush wrote, whatever its size and however it was chunked: one chunk in
 * its writer slot's document, more in the journal collection.
 */
describe('the flush journal', () => {
  const client = new MongoClient(mongoUri());
  const collections = new FlowCollections(client.db(uniqueDatabase()), 'flows');
  const journal = new FlushJournal(collections.journal);
  const slot = new WriterSlot(collections.writers, randomUUID(), 60_000);
  afterAll(async () => {
    await slot.release();
    await collections.journal.db.dropDatabase();
    await client.close();
  });

  /** Writes a flush's journal and begins the flush with it; resolves with what its slot then says is in flight. */
  async function begun(content: FlushContent) {
    const written = await journal.write(content);
    const begin = await slot.begin(written);
    const inFlight = await slot.inFlight();
    expect(inFlight?.flush).toEqual(begin);
    return { written, stored: inFlight!.journal, read: await journal.read(inFlight!.journal) };
  }

  it.each([
    ['one chunk', 3_000, [500, 500], 0],
    ['records without a key alone', 9_000, [] as number[], 3],
    ['keyed parts alone', 0, [3_000, 3_000, 1], 2],
    ['both, over several chunks', 4_500, [3_999, 2, 4_000], 3],
  ])('reads back %s as written, then deletes it', async (_name, unkeyedKeys, partKeys, chunks) => {
    const content: FlushContent = {
      unkeyed: totals(unkeyedKeys, 0),
      parts: partKeys.map((keys, i) => ({ claim: { id: `c${i}`, digest: 'x'.repeat(43), split: 'a', part: 0, records: keys }, totals: totals(keys, i + 1) })),
    };
    const { written, stored, read } = await begun(content);
    expect(await collections.journal.countDocuments({ journal: written.id })).toBe(chunks);
    expect(stored.id).toBe(written.id);
    expect(stored.inline === null).toBe(chunks > 0);
    expect([read.unkeyed.records, entries(read.unkeyed)]).toEqual([content.unkeyed.records, entries(content.unkeyed)]);
    expect(read.parts.map((p) => [p.claim, p.totals.records, entries(p.totals)])).toEqual(content.parts.map((p) => [p.claim, p.totals.records, entries(p.totals)]));
    const { flush } = (await slot.inFlight())!;
    expect(await slot.complete(flush, written.id)).toBe(true);
    await journal.delete(written);
    expect(await collections.journal.countDocuments({ journal: written.id })).toBe(0);
    expect(await collections.writers.countDocuments({ journal: { $ne: null } })).toBe(0);
  });

  it('reads back totals past 2^64 exactly', async () => {
    // The records without a key of one flush may sum past Int64: PENDING_MAX_RECORDS records of 2^53 - 1 each.
    const unkeyed = new FlowTotals();
    const key = { hour: 7, src_app: 's', dest_app: 'd', vpc_id: 'v' };
    unkeyed.addKey('k', key, 2n ** 70n + 3n, 2n ** 63n);
    unkeyed.records = 200_000;
    const { written, read } = await begun({ unkeyed, parts: [] });
    expect([...read.unkeyed.byKey.values()].map((t) => [BigInt(t.bytesTx), BigInt(t.bytesRx)])).toEqual([[2n ** 70n + 3n, 2n ** 63n]]);
    expect(await slot.complete((await slot.inFlight())!.flush, written.id)).toBe(true);
  });
});
