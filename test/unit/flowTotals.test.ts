import { addExact, FlowTotals } from '../../app/storage/flowTotals';
import { bucketOf, BUCKETS, flowKeyText } from '../../app/query/flows';

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
    expect(totals.byKey.get(flowKeyText(rec))).toMatchObject({ bytesTx: 3n * BigInt(max), bytesRx: 3 });
  });
});

describe('bucketOf', () => {
  it('is stable and spreads keys over every bucket', () => {
    const key = flowKeyText({ hour: 1, src_app: 'a', dest_app: 'b', vpc_id: 'v' });
    expect(bucketOf(key)).toBe(bucketOf(key));
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      seen.add(bucketOf(flowKeyText({ hour: 1, src_app: `app-${i}`, dest_app: 'b', vpc_id: 'v' })));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: BUCKETS }, (_, i) => i));
  });
});
