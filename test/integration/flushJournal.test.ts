import { MongoClient } from 'mongodb';
import { FlushJournal } from '../../app/exactlyOnce/flushJournal';
import { FlowCollections } from '../../app/storage/flowCollections';
import { FlowTotals } from '../../app/storage/flowTotals';
import { FlushContent } from '../../app/storage/flushContent';
import { mongoUri, uniqueDatabase } from '../support/service';

const totals = (keys: number, seed: number): FlowTotals => {
  const t = new FlowTotals();
  t.add(Array.from({ length: keys }, (_, i) => ({ src_app: `s${seed}`, dest_app: `d${i}`, vpc_id: 'v', bytes_tx: i + seed, bytes_rx: 2 ** 53 - 1 - i, hour: 7 })));
  return t;
};

/** What a recovery reads is what the flush wrote, whatever its size and however it was chunked. */
describe('the flush journal', () => {
  const client = new MongoClient(mongoUri());
  const collections = new FlowCollections(client.db(uniqueDatabase()), 'flows');
  const journal = new FlushJournal(collections.journal);
  afterAll(async () => {
    await collections.journal.db.dropDatabase();
    await client.close();
  });

  it.each([
    ['records without a key alone', 9_000, [] as number[]],
    ['keyed parts alone', 0, [3_000, 3_000, 1]],
    ['both, over several chunks', 4_500, [3_999, 2, 4_000]],
  ])('reads back %s as written, then deletes it', async (_name, unkeyedKeys, partKeys) => {
    const content: FlushContent = {
      unkeyed: totals(unkeyedKeys, 0),
      parts: partKeys.map((keys, i) => ({ claim: { id: `c${i}`, digest: 'x'.repeat(43), split: 'a', part: 0, records: keys }, totals: totals(keys, i + 1) })),
    };
    const id = await journal.write(content);
    const read = await journal.read(id);
    const entries = (t: FlowTotals) => [...t.byKey].map(([k, v]) => [k, BigInt(v.bytesTx), BigInt(v.bytesRx)]);
    expect([read.unkeyed.records, entries(read.unkeyed)]).toEqual([content.unkeyed.records, entries(content.unkeyed)]);
    expect(read.parts.map((p) => [p.claim, p.totals.records, entries(p.totals)])).toEqual(content.parts.map((p) => [p.claim, p.totals.records, entries(p.totals)]));
    await journal.delete(id);
    await expect(journal.read(id)).rejects.toThrow('incomplete');
  });

  it('reads back totals past 2^64 exactly', async () => {
    // The records without a key of one flush may sum past Int64: PENDING_MAX_RECORDS records of 2^53 - 1 each.
    const unkeyed = new FlowTotals();
    const key = { hour: 7, src_app: 's', dest_app: 'd', vpc_id: 'v' };
    unkeyed.addKey('k', key, 2n ** 70n + 3n, 2n ** 63n);
    unkeyed.records = 200_000;
    const read = await journal.read(await journal.write({ unkeyed, parts: [] }));
    expect([...read.unkeyed.byKey.values()].map((t) => [BigInt(t.bytesTx), BigInt(t.bytesRx)])).toEqual([[2n ** 70n + 3n, 2n ** 63n]]);
  });
});
