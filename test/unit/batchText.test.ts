import fc from 'fast-check';
import { findDuplicateKey, scanBatch } from '../../app/data/batchText';

const RUNS = 3_000;

/** How deep a JSON value nests, counted as the scan does: a scalar 0, an empty array 1. */
function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depth));
}

/** Keys of the objects that are elements of the top-level array, as JSON.stringify writes them. */
function recordKeys(batch: unknown[]): number {
  return batch.reduce<number>((sum, r) => sum + (typeof r === 'object' && r !== null && !Array.isArray(r) ? Object.keys(r).length : 0), 0);
}

// Strings full of the characters the scan looks at: quotes, backslashes, brackets, braces, colons, commas.
const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ':', ',', 'a', ' ', '\u00e9', '\ud83d\ude00') });
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('scanBatch', () => {
  it('accepts exactly the arrays that nest at most two deep, counting their records keys', () => {
    fc.assert(
      fc.property(json, fc.constantFrom('', ' ', '\n\t '), (value, space) => {
        const text = space + JSON.stringify(value, null, space.length > 1 ? 1 : 0) + space;
        const scanned = scanBatch(text);
        if (!Array.isArray(value) || depth(value) > 2) return scanned.problem !== undefined;
        return scanned.problem === undefined && scanned.keys === recordKeys(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a nested body at its third bracket, whatever follows', () => {
    expect(scanBatch('[[[' + 'x'.repeat(100)).problem).toMatch(/nests deeper/);
    expect(scanBatch('[[[' + 'x'.repeat(100))).not.toHaveProperty('record');
  });

  it('names the record and field whose value is an object or array', () => {
    const text = '[{"a":1},{"src_app":"x","dest\\u005fapp":{"$gt":""}}]';
    expect(scanBatch(text)).toMatchObject({
      record: { index: 1, field: 'dest_app', message: 'record 1: "dest_app" must not be an object or array' },
    });
  });

  it('names no field when no key comes before the nested value in its record', () => {
    expect(scanBatch('[{"a":1},{[]}]')).toEqual({ problem: expect.stringMatching(/nests deeper/) });
  });

  it('leaves text that is not JSON to the parser, but refuses what is not an array', () => {
    expect(scanBatch('[{"a":')).toEqual({ keys: 1 });
    expect(scanBatch('["unterminated')).toEqual({ keys: 0 });
    for (const text of ['', '  ', '{}', '"[[["', '42', 'null']) {
      expect(scanBatch(text)).toEqual({ problem: 'the body must be a JSON array of flow records' });
    }
  });
});

describe('findDuplicateKey', () => {
  const record = '{"src_app":"s","dest_app":"d","vpc_id":"v","bytes_tx":1,"bytes_rx":2,"hour":3}';
  const find = (text: string, records: number) => {
    const scanned = scanBatch(text);
    if (scanned.problem !== undefined) throw new Error(scanned.problem);
    return findDuplicateKey(text, records, scanned.keys);
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

  it('counts records by their place in the array, whatever the elements', () => {
    const twice = record.replace('"vpc_id":"v"', '"vpc_id":"v","vpc_id":"w"');
    expect(find(`[ ${record} , ${twice} ]`, 2)).toMatchObject({ index: 1, field: 'vpc_id' });
  });
});
