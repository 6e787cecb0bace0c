import Joi from 'joi';
import { MAX_HOUR, MAX_NAME_LENGTH } from '../api/constants';

/** One flow report from an agent: bytes moved from src_app to dest_app within vpc_id during an hour. */
export interface FlowRecord {
  src_app: string;
  dest_app: string;
  vpc_id: string;
  bytes_tx: number;
  bytes_rx: number;
  hour: number;
}

// Control characters are rejected so names print safely and cannot collide with the in-memory key separator;
// lone surrogates are rejected because UTF-8 encoding would turn every one of them into the same U+FFFD.
// Lengths count code points, as JSON Schema's maxLength does (the OpenAPI document), not UTF-16 code units:
// a name of 256 emoji is 256 characters.
// The pattern's message is the rule's own: .messages() would attach preferences to the name schema, which joi
// merges on every validation of every name (measured: 3.5 → 1.7 µs of joi per record; docs/benchmarks.md).
// Joi.string() already refuses the empty string ("string.empty").
const NAME_PATTERN = /^[^\p{Cc}\p{Cs}]*$/u;
export const nameSchema = Joi.string()
  .pattern(NAME_PATTERN)
  .rule({ message: '{{#label}} must not contain control characters or lone surrogates' })
  // A name has at most as many code points as UTF-16 code units: only a long one needs counting.
  .custom((value: string, helpers) =>
    value.length > MAX_NAME_LENGTH && [...value].length > MAX_NAME_LENGTH
      ? helpers.error('string.max', { limit: MAX_NAME_LENGTH })
      : value,
  );

// Joi.number() already rejects values beyond Number.MAX_SAFE_INTEGER ("number.unsafe"): such JSON numbers
// have been rounded by JSON.parse, so accepting them would store something the agent never sent.
const count = Joi.number().integer().min(0);

export const hourSchema = Joi.number().integer().min(0).max(MAX_HOUR);

// The options live in the schema rather than in each validate() call: joi merges per-call options into its
// defaults on every call, while a schema's own preferences are merged once and cached (2.2 → 1.4 µs per
// record: scripts/bench/validation-cost.cjs).
export const flowRecordSchema = Joi.object<FlowRecord, true>({
  src_app: nameSchema.required(),
  dest_app: nameSchema.required(),
  vpc_id: nameSchema.required(),
  bytes_tx: count.required(),
  bytes_rx: count.required(),
  hour: hourSchema.required(),
})
  .required()
  .prefs({ convert: false, abortEarly: true });

export interface RecordProblem {
  index: number;
  field?: string;
  message: string;
}

/** The fields of a record, each exactly once. */
export const RECORD_FIELDS = 6;

export function isName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    (value.length <= MAX_NAME_LENGTH || [...value].length <= MAX_NAME_LENGTH) &&
    NAME_PATTERN.test(value)
  );
}

export function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/**
 * The schema's rules for a record, spelled out: true only for what flowRecordSchema accepts (an object of
 * exactly the six fields, each within its rules), without joi's per-record machinery. Proven to agree
 * with the schema by test/unit/flowRecord.test.ts; joi still judges, and words, every refusal.
 */
export function isValidRecord(value: unknown): value is FlowRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return (
    Object.keys(r).length === RECORD_FIELDS &&
    isName(r.src_app) &&
    isName(r.dest_app) &&
    isName(r.vpc_id) &&
    isCount(r.bytes_tx, Number.MAX_SAFE_INTEGER) &&
    isCount(r.bytes_rx, Number.MAX_SAFE_INTEGER) &&
    isCount(r.hour, MAX_HOUR)
  );
}

/** Validates every record of a batch; returns the first problem, or undefined when the whole batch is valid. */
export function findInvalidRecord(records: readonly unknown[]): RecordProblem | undefined {
  for (let index = 0; index < records.length; index++) {
    if (isValidRecord(records[index])) continue;
    const { error } = flowRecordSchema.validate(records[index]);
    if (error) {
      const detail = error.details[0];
      const field = detail.path.length > 0 ? String(detail.path[0]) : undefined;
      return { index, field, message: `record ${index}: ${detail.message}` };
    }
  }
  return undefined;
}
