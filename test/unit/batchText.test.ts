import fc from 'fast-check';
import { BatchScanner, BatchScanProblem, findDuplicateKey, MAX_BATCH_DEPTH } from '../../app/data/batchText';

const RUNS = 3_000;

/** How deep a JSON value nests, counted as the scan does: a scalar 0, an empty array 1. */
function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depth));
}

/** Keys of the objects one level inside the top-level value: the records of a batch. */
function recordKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const inner = Object.values(value).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  return inner.reduce<number>((sum, r) => sum + Object.keys(r as object).length, 0);
}

/** The scan of `bytes` cut at `cuts`, as the body's chunks arrive. */
function scanChunks(bytes: Buffer, cuts: number[], maxRecords = Infinity): { problem?: BatchScanProblem; keys: number } {
  const scanner = new BatchScanner(maxRecords);
  const at = [0, ...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  for (let i = 0; i < at.length; i++) {
    const problem = scanner.push(bytes.subarray(at[i], at[i + 1] ?? bytes.length));
    if (problem) return { problem, keys: scanner.keys };
  }
  return { keys: scanner.keys };
}

// Strings full of the bytes the scan looks at: quotes, backslashes, brackets, braces, colons, commas.
const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ':', ',', 'a', ' ', '\u00e9', '\ud83d\ude00') });
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe('BatchScanner', () => {
  it('refuses exactly what nests deeper than a batch, and counts the records keys, however the bytes are cut', () => {
    fc.assert(
      fc.property(json, fc.boolean(), cuts, (value, spaced, at) => {
        const bytes = Buffer.from(JSON.stringify(value, null, spaced ? 1 : 0));
        const { problem, keys } = scanChunks(bytes, at);
        if (depth(value) > MAX_BATCH_DEPTH) return problem?.kind === 'nested';
        return problem === undefined && keys === recordKeys(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses an array of more elements than the maximum at the one past it', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), tricky, fc.constant({ a: [1, 2] })), { maxLength: 12 }), fc.integer({ min: 1, max: 8 }), cuts, (batch, max, at) => {
        const { problem } = scanChunks(Buffer.from(JSON.stringify(batch)), at, max);
        return batch.length > max ? problem?.kind === 'records' && problem.records === max + 1 : problem === undefined;
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses 2.6 million nested brackets at the fifth, reading no further', () => {
    const scanner = new BatchScanner(10_000);
    expect(scanner.push(Buffer.from('[[[['))).toBeUndefined();
    expect(scanner.push(Buffer.from('['))).toEqual({ kind: 'nested' });
  });

  it('reads an escape that straddles two chunks', () => {
    // The string's brackets are text, not structure, and the quote after the backslash does not end it.
    const bytes = Buffer.from('["a\\"[[[[[", 1]');
    for (let cut = 0; cut <= bytes.length; cut++) expect(scanChunks(bytes, [cut]).problem).toBeUndefined();
  });
});

describe('findDuplicateKey', () => {
  const record = '{"src_app":"s","dest_app":"d","vpc_id":"v","bytes_tx":1,"bytes_rx":2,"hour":3}';
  const find = (text: string, records: number) => {
    const bytes = Buffer.from(text);
    const scanner = new BatchScanner(Infinity);
    expect(scanner.push(bytes)).toBeUndefined();
    return findDuplicateKey(() => bytes, records, scanner.keys);
  };

  it('finds none in records of six distinct keys', () => {
    expect(find(`[${record},${record}]`, 2)).toBeUndefined();
  });

  it('names the first record holding a key twice, and the key, however it is escaped', () => {
    const twice = record.replace('"hour":3', '"hour":3,"h\\u006fur":4');
    expect(find(`[${record},${record},${twice},${twice}]`, 4)).toEqual({
      index: 2,
      field: 'hour',
      message: 'record 2: "hour" is given more than once',
    });
  });

  it('counts records by their place in the array, whatever the spacing', () => {
    const twice = record.replace('"vpc_id":"v"', '"vpc_id":"v" , "vpc_id" : "w"');
    expect(find(`[ ${record} ,\n ${twice} ]`, 2)).toMatchObject({ index: 1, field: 'vpc_id' });
  });
});
