import fc from 'fast-check';
import { MAX_HOUR } from '../../app/api/constants';
import { addExact, FlowTotals } from '../../app/storage/flowTotals';
import { flowKeyId } from '../../app/query/flows';

const max = Number.MAX_SAFE_INTEGER;

describe('addExact', () => {
  it('stays a number while the sum is safe', () => {
    expect(addExact(max - 1, 1)).toBe(max);
  });
  it('becomes an exact bigint past 2^53 - 1', () => {
    expect(addExact(max, max)).toBe(18014398509481982n);
    expect(addExact(addExact(max, 2), 1)).toBe(9007199254740994n);
  });
});

describe('FlowTotals', () => {
  it('sums records by key and counts them', () => {
    const totals = new FlowTotals();
    const rec = { src_app: 'a', dest_app: 'b', vpc_id: 'v', hour: 1, bytes_tx: max, bytes_rx: 1 };
    totals.add([rec, rec, { ...rec, vpc_id: 'w' }]);
    totals.add([rec]);
    expect(totals.records).toBe(4);
    expect(totals.byKey.size).toBe(2);
    expect(totals.byKey.get(flowKeyId(rec))).toMatchObject({ bytesTx: 3n * BigInt(max), bytesRx: 3 });
  });
});

describe('flowKeyId', () => {
  // Valid names hold no control characters (app/data/flow.ts), so none holds the separator.
  const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((n) => !/\p{Cc}/u.test(n));
  const key = fc.record({ hour: fc.integer({ min: 0, max: MAX_HOUR }), src_app: name, dest_app: name, vpc_id: name });

  it('spells the key out whole, so two keys never share an id', () => {
    fc.assert(
      fc.property(key, (k) => {
        expect(flowKeyId(k).split('\u0001')).toEqual([String(k.hour), k.src_app, k.dest_app, k.vpc_id]);
      }),
      { numRuns: 2_000 },
    );
  });
});
