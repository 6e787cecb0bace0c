import fc from 'fast-check';
import { MAX_HOUR } from '../../app/api/constants';
import { flowKeyId } from '../../app/query/flows';
import { decodeForward, encodeForward } from '../../app/routing/hopBody';
import { Owners } from '../../app/routing/owners';
import { FlowTotals } from '../../app/storage/flowTotals';

const keyIds = (n: number) => Array.from({ length: n }, (_, i) => flowKeyId({ hour: 1 + (i % 24), src_app: `s${i % 97}`, dest_app: `d${i}`, vpc_id: 'v' }));
const members = (n: number) => Array.from({ length: n }, (_, i) => `http://10.0.0.${i + 1}:9527`);

describe('Owners (rendezvous hashing)', () => {
  it('gives every member about its share of the keys', () => {
    const owners = new Owners(members(3));
    const counts = new Map<string, number>();
    for (const id of keyIds(30_000)) counts.set(owners.ownerOf(id), (counts.get(owners.ownerOf(id)) ?? 0) + 1);
    for (const count of counts.values()) expect(count / 30_000).toBeGreaterThan(0.3);
    expect(counts.size).toBe(3);
  });

  it('moves only the keys of the member that joins or leaves, about 1/N of them', () => {
    const ids = keyIds(30_000);
    const before = new Owners(members(3));
    const after = new Owners(members(4));
    const moved = ids.filter((id) => before.ownerOf(id) !== after.ownerOf(id));
    // Every key that moved went to the new member; about a quarter of them did.
    expect(moved.every((id) => after.ownerOf(id) === members(4)[3])).toBe(true);
    expect(moved.length / ids.length).toBeGreaterThan(0.2);
    expect(moved.length / ids.length).toBeLessThan(0.3);
    const left = new Owners(members(4).filter((_, i) => i !== 1));
    expect(ids.filter((id) => after.ownerOf(id) !== left.ownerOf(id)).every((id) => after.ownerOf(id) === members(4)[1])).toBe(true);
  });

  it('gives the same owner for the same list, whatever member computes it', () => {
    const ids = keyIds(1_000);
    const a = new Owners(members(5));
    const b = new Owners([...members(5)]);
    expect(ids.map((id) => a.ownerOf(id))).toEqual(ids.map((id) => b.ownerOf(id)));
  });
});

describe('a forwarded part', () => {
  const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((n) => !/[\p{Cc}\p{Cs}]/u.test(n));
  const row = fc.record({
    hour: fc.integer({ min: 0, max: MAX_HOUR }),
    src_app: name,
    dest_app: name,
    vpc_id: name,
    tx: fc.oneof(fc.maxSafeNat(), fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n })),
    rx: fc.maxSafeNat(),
  });

  it('comes back from its body exactly, totals past 2^53 included', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
        const part = new FlowTotals();
        for (const r of rows) part.addKey(flowKeyId(r), r, r.tx, r.rx);
        part.records = rows.length;
        const claim = { id: 'client\nkey-1', digest: 'a'.repeat(43), split: 'http://10.0.0.1:9528 http://10.0.0.2:9528', part: 1, records: 7 };
        const back = decodeForward(JSON.parse(encodeForward({ unkeyed: part, parts: [{ claim, totals: part }] })), 100);
        expect(back?.unkeyed.records).toBe(part.records);
        expect(back?.parts.map((p) => [p.claim, p.totals.records])).toEqual([[claim, part.records]]);
        expect([...back!.unkeyed.byKey.entries()].map(([id, t]) => [id, BigInt(t.bytesTx), BigInt(t.bytesRx)])).toEqual(
          [...part.byKey.entries()].map(([id, t]) => [id, BigInt(t.bytesTx), BigInt(t.bytesRx)]),
        );
      }),
      { numRuns: 500 },
    );
  });

  const valid = { records: 2, rows: [[5, 'a', 'b', 'v', 1, '9007199254740993']] };
  it.each([
    ['not an object', []],
    ['an unknown field', { ...valid, extra: 1 }],
    ['no rows', { records: 1, rows: [] }],
    ['a keyed part without rows', { records: 0, rows: [], parts: [{ claim: { id: 'k', digest: 'a'.repeat(43), split: 's', part: 0, records: 1 }, records: 1, rows: [] }] }],
    ['a keyed part with a malformed digest', { records: 0, rows: [], parts: [{ claim: { id: 'k', digest: 'a', split: 's', part: 0, records: 1 }, records: 1, rows: valid.rows }] }],
    ['a keyed part with another field', { records: 0, rows: [], parts: [{ claim: { id: 'k', digest: 'a'.repeat(43), split: 's', part: 0, records: 1, x: 1 }, records: 1, rows: valid.rows }] }],
    ['more keys than records', { records: 0, rows: valid.rows }],
    ['more keys than allowed', { records: 5, rows: Array.from({ length: 4 }, (_, i) => [i, 'a', 'b', 'v', 1, 1]) }],
    ['a short row', { records: 1, rows: [[5, 'a', 'b', 1, 1]] }],
    ['a name with a control character', { records: 1, rows: [[5, 'a\u0001', 'b', 'v', 1, 1]] }],
    ['an empty name', { records: 1, rows: [[5, '', 'b', 'v', 1, 1]] }],
    ['an hour past 2^31 - 1', { records: 1, rows: [[2 ** 31, 'a', 'b', 'v', 1, 1]] }],
    ['a negative total', { records: 1, rows: [[5, 'a', 'b', 'v', -1, 1]] }],
    ['a rounded total', { records: 1, rows: [[5, 'a', 'b', 'v', 2 ** 53, 1]] }],
    ['a total past 2^63 - 1', { records: 1, rows: [[5, 'a', 'b', 'v', '9223372036854775808', 1]] }],
    ['a total that is not decimal', { records: 1, rows: [[5, 'a', 'b', 'v', '0x10', 1]] }],
  ])('is refused with %s', (_what, body) => {
    expect(decodeForward(body, 3)).toBeUndefined();
  });
});
