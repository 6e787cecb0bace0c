import fc from 'fast-check';
import { BSON } from 'mongodb';
import { flowKeyId, incrementMaxBytes, incrementTotals } from '../../app/query/flows';
import { HOURS_PER_DAY, incrementRollup, ROLLUPS } from '../../app/query/rollups';
import { MAX_HOUR } from '../../app/api/constants';
import { commandChunks } from '../../app/storage/updateCommand';

describe('commandChunks', () => {
  const sizes = (chunks: number[][]) => chunks.map((c) => c.length);

  it('keeps every statement once, in order, in as few commands as the limits allow', () => {
    const statements = Array.from({ length: 250_000 }, (_, i) => i);
    const chunks = commandChunks(statements, () => 100);
    expect(sizes(chunks)).toEqual([100_000, 100_000, 50_000]);
    expect(chunks.flat()).toEqual(statements);
  });

  it('starts a new command before the statements would pass 15 MiB', () => {
    const mib = 1024 * 1024;
    expect(sizes(commandChunks([1, 2, 3, 4], () => 5 * mib))).toEqual([3, 1]);
    expect(sizes(commandChunks([1, 2, 3], (n) => (n === 2 ? 20 * mib : mib)))).toEqual([1, 1, 1]);
    expect(commandChunks([], () => 1)).toEqual([]);
  });
});

describe('incrementMaxBytes', () => {
  // Names of any code points: ASCII, 2-, 3- and 4-byte UTF-8, lone surrogates (3 bytes as U+FFFD).
  const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 });
  const statement = fc
    .record({
      hour: fc.integer({ min: 0, max: MAX_HOUR }),
      src_app: name,
      dest_app: name,
      vpc_id: name,
      bytesTx: fc.oneof(fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n })),
      bytesRx: fc.maxSafeNat(),
    })
    .chain((r) =>
      fc.oneof(
        fc.constant(incrementTotals(flowKeyId(r), r, r.bytesTx, r.bytesRx)),
        fc.tuple(fc.constantFrom(...ROLLUPS), fc.constantFrom(1 as const, HOURS_PER_DAY)).map(([rollup, span]) =>
          incrementRollup(rollup, span, r.hour, rollup.fields.map((f) => r[f]), r.bytesTx, r.bytesRx),
        ),
      ),
    );

  it("is at least the statement's size as an element of a command's array of 100,000, for keys and roll-ups", () => {
    fc.assert(
      fc.property(statement, (s) => {
        // An element of an array: type byte, index as a C string ("99999"), the document; the wrapping
        // document adds 5 bytes of its own.
        return BSON.calculateObjectSize({ 99999: s }) - 5 <= incrementMaxBytes(s);
      }),
      { numRuns: 2_000 },
    );
  });
});
