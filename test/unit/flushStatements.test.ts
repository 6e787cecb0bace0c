import fc from 'fast-check';
import { FlowRecord } from '../../app/data/flow';
import { flowKeyId } from '../../app/query/flows';
import { HOURS_PER_DAY, ROLLUPS, rollupId } from '../../app/query/rollups';
import { FlowTotals } from '../../app/storage/flowTotals';
import { flushStatements } from '../../app/storage/flushStatements';

const name = fc.constantFrom('a', 'b', 'c b', 'é', '😀');
const record = fc.record<FlowRecord>({
  src_app: name,
  dest_app: name,
  vpc_id: fc.constantFrom('v1', 'v2'),
  bytes_tx: fc.oneof(fc.nat(10), fc.constant(Number.MAX_SAFE_INTEGER)),
  bytes_rx: fc.nat(1000),
  hour: fc.integer({ min: 47, max: 97 }),
});

/** What each document must gain, computed from the records alone: per collection, per _id, the sums. */
function expectedIncrements(records: FlowRecord[]): Map<string, Map<string, [bigint, bigint]>> {
  const byCollection = new Map<string, Map<string, [bigint, bigint]>>();
  const add = (collection: string, id: string, r: FlowRecord) => {
    const docs = byCollection.get(collection) ?? new Map<string, [bigint, bigint]>();
    byCollection.set(collection, docs);
    const [tx, rx] = docs.get(id) ?? [0n, 0n];
    docs.set(id, [tx + BigInt(r.bytes_tx), rx + BigInt(r.bytes_rx)]);
  };
  for (const r of records) {
    add('keys', flowKeyId(r), r);
    for (const rollup of ROLLUPS) {
      const names = rollup.fields.map((f) => r[f]);
      add('rollups', rollupId(rollup, 1, r.hour, names), r);
      if (rollup.spans.includes(HOURS_PER_DAY)) add('rollups', rollupId(rollup, HOURS_PER_DAY, r.hour - (r.hour % HOURS_PER_DAY), names), r);
    }
  }
  return byCollection;
}

describe('flushStatements', () => {
  it('adds every record to its key document and to every roll-up document it belongs to, once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(record, { maxLength: 40 }), { maxLength: 4 }), (batches) => {
        const totals = new FlowTotals();
        for (const batch of batches) totals.add(batch);
        const sent = new Map<string, Map<string, [bigint, bigint]>>();
        for (const { collection, statements } of flushStatements(totals)) {
          const docs = new Map<string, [bigint, bigint]>();
          for (const s of statements) {
            // One upsert per document, each a lookup of _id alone.
            expect(docs.has(s.q._id)).toBe(false);
            expect(Object.keys(s.q)).toEqual(['_id']);
            docs.set(s.q._id, [s.u.$inc.bytes_tx as bigint, s.u.$inc.bytes_rx as bigint]);
          }
          if (docs.size > 0) sent.set(collection, docs);
        }
        expect(sent).toEqual(expectedIncrements(batches.flat()));
      }),
      { numRuns: 200 },
    );
  });

  it('sends every statement in the one form: $inc of both totals as Int64, the key on insert, an upsert', () => {
    const totals = new FlowTotals();
    totals.add([{ src_app: 's', dest_app: 'd', vpc_id: 'v', bytes_tx: 3, bytes_rx: 4, hour: 50 }]);
    const groups = flushStatements(totals);
    expect(groups.map((g) => g.collection)).toEqual(['keys', 'rollups']);
    const inc = { bytes_tx: 3n, bytes_rx: 4n };
    expect(groups[1].statements.filter((s) => s.u.$setOnInsert.rollup === 'by_src_app')).toEqual([
      { q: { _id: 'by_src_app:hour:50\u0001s' }, u: { $inc: inc, $setOnInsert: { rollup: 'by_src_app', hour: 50, hours: 1, src_app: 's' } }, upsert: true },
      { q: { _id: 'by_src_app:day:48\u0001s' }, u: { $inc: inc, $setOnInsert: { rollup: 'by_src_app', hour: 48, hours: 24, src_app: 's' } }, upsert: true },
    ]);
    for (const { statements } of groups) {
      for (const s of statements) {
        expect(Object.keys(s)).toEqual(['q', 'u', 'upsert']);
        expect(Object.keys(s.u)).toEqual(['$inc', '$setOnInsert']);
        expect(Object.keys(s.u.$inc)).toEqual(['bytes_tx', 'bytes_rx']);
      }
    }
  });
});
