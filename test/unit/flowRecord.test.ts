import fc from 'fast-check';
import { MAX_HOUR, MAX_NAME_LENGTH } from '../../app/api/constants';
import { findInvalidRecord, flowRecordSchema, isValidRecord } from '../../app/data/flow';

const RUNS = 3_000;
const FIELDS = ['src_app', 'dest_app', 'vpc_id', 'bytes_tx', 'bytes_rx', 'hour'] as const;

// Written from Unicode's definitions, not from the schema's pattern: Cc is U+0000–U+001F and U+007F–U+009F,
// Cs is U+D800–U+DFFF.
const isControlOrSurrogate = (cp: number) => cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff);
const nameChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0x10ffff }))
  .filter((cp) => !isControlOrSurrogate(cp))
  .map((cp) => String.fromCodePoint(cp));
const validName = fc.oneof(
  fc.string({ unit: nameChar, minLength: 1, maxLength: 20 }),
  fc.string({ unit: nameChar, minLength: MAX_NAME_LENGTH - 2, maxLength: MAX_NAME_LENGTH }),
);
const count = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER));
const validRecord = fc.record({
  src_app: validName,
  dest_app: validName,
  vpc_id: validName,
  bytes_tx: count,
  bytes_rx: count,
  hour: fc.oneof(fc.integer({ min: 0, max: MAX_HOUR }), fc.constantFrom(0, MAX_HOUR)),
});

// Values just outside a rule, and anything at all.
const badValue = fc.oneof(
  fc.anything(),
  fc.double(),
  fc.constantFrom(-1, -0, 0.5, NaN, Infinity, 2 ** 53, 2 ** 53 + 2, MAX_HOUR + 1, '', '1', null, true, [], {}),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: nameChar, minLength: MAX_NAME_LENGTH + 1, maxLength: MAX_NAME_LENGTH + 3 }),
  fc.string({ unit: 'binary', minLength: MAX_NAME_LENGTH - 1, maxLength: MAX_NAME_LENGTH + 1 }),
);
const mutatedRecord = fc.oneof(
  fc.tuple(validRecord, fc.constantFrom(...FIELDS), badValue).map(([r, field, v]) => ({ ...r, [field]: v })),
  fc.tuple(validRecord, fc.constantFrom(...FIELDS)).map(([r, field]) => {
    const copy: Record<string, unknown> = { ...r };
    delete copy[field];
    return copy;
  }),
  fc.tuple(validRecord, fc.string(), fc.anything()).map(([r, key, v]) => ({ ...r, [key]: v })),
  fc.tuple(validRecord, fc.constantFrom(...FIELDS), fc.constantFrom(...FIELDS)).map(([r, a, b]) => ({ ...r, [a]: r[b] })),
);
const anyRecord = fc.oneof(validRecord, mutatedRecord, fc.anything(), fc.jsonValue());

const joiAccepts = (value: unknown) => flowRecordSchema.validate(value).error === undefined;
const hasOwnProto = (value: unknown) => typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__');

describe('isValidRecord, the spelled-out rules for valid records', () => {
  it('accepts every record the joi schema accepts', () => {
    fc.assert(fc.property(validRecord, (r) => isValidRecord(r) && joiAccepts(r)), { numRuns: RUNS });
  });

  it('accepts nothing the joi schema refuses', () => {
    fc.assert(fc.property(anyRecord, (value) => !isValidRecord(value) || joiAccepts(value)), { numRuns: RUNS * 3 });
  });

  it('agrees with the joi schema on valid, nearly valid and arbitrary values', () => {
    // Apart from an own "__proto__" key: joi's shallow copy (Object.assign) makes it the copy's prototype, so
    // joi may accept such a record, which isValidRecord leaves to joi. The body parser refuses such JSON.
    const agrees = (value: unknown) => hasOwnProto(value) || isValidRecord(value) === joiAccepts(value);
    fc.assert(fc.property(anyRecord, agrees), { numRuns: RUNS * 3 });
    // The same as they arrive: parsed from JSON.
    fc.assert(
      fc.property(anyRecord, (value) => {
        const text = JSON.stringify(value);
        return text === undefined || agrees(JSON.parse(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees at the edges of each rule', () => {
    const base = { src_app: 'a', dest_app: 'b', vpc_id: 'v', bytes_tx: 1, bytes_rx: 2, hour: 3 };
    const edges: unknown[] = [
      base,
      { ...base, src_app: '😀'.repeat(MAX_NAME_LENGTH) },
      { ...base, src_app: '😀'.repeat(MAX_NAME_LENGTH + 1) },
      { ...base, src_app: 'x'.repeat(MAX_NAME_LENGTH + 1) },
      { ...base, src_app: 'a\u0000b' },
      { ...base, src_app: 'a\u009fb' },
      { ...base, src_app: '\ud800' },
      { ...base, hour: MAX_HOUR },
      { ...base, hour: MAX_HOUR + 1 },
      { ...base, bytes_tx: Number.MAX_SAFE_INTEGER },
      { ...base, bytes_tx: Number.MAX_SAFE_INTEGER + 1 },
      { ...base, bytes_rx: -0 },
      { ...base, bytes_rx: '2' },
      Object.assign(Object.create(null) as object, base),
      [base],
      Object.assign([], base),
      null,
    ];
    for (const value of edges) expect([value, isValidRecord(value)]).toEqual([value, joiAccepts(value)]);
  });
});

describe('findInvalidRecord', () => {
  /** The reference: joi alone on every record, as before the spelled-out rules. */
  function joiOnly(records: unknown[]) {
    for (let index = 0; index < records.length; index++) {
      const { error } = flowRecordSchema.validate(records[index]);
      if (error) {
        const detail = error.details[0];
        return {
          index,
          field: detail.path.length > 0 ? String(detail.path[0]) : undefined,
          message: `record ${index}: ${detail.message}`,
        };
      }
    }
    return undefined;
  }

  it("reports exactly joi's first problem, index, field and message, for any batch", () => {
    const batch = fc.array(fc.oneof({ weight: 4, arbitrary: validRecord }, { weight: 1, arbitrary: anyRecord }), { maxLength: 8 });
    fc.assert(fc.property(batch, (records) => expect(findInvalidRecord(records)).toEqual(joiOnly(records))), { numRuns: RUNS });
    const ownProto = JSON.parse('{"src_app":"a","dest_app":"b","vpc_id":"v","bytes_tx":1,"bytes_rx":2,"hour":3,"__proto__":[]}');
    expect(findInvalidRecord([ownProto])).toEqual(joiOnly([ownProto]));
  });
});
