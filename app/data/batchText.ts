import { RECORD_FIELDS, RecordProblem } from './flow';

/** The deepest a batch nests: an array (1) of flat records (2). */
const MAX_DEPTH = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * What a scan of a batch's text found: the number of keys in its records, or why it is no batch. A record with
 * an object or array as a field's value is named like any other invalid record.
 */
export type BatchScan =
  | { keys: number; problem?: undefined; record?: undefined }
  | { problem: string; record?: RecordProblem };

/** Called for each key of a record, with the record's index and where the key's string opens; true stops the scan. */
type KeySeen = (record: number, open: number) => boolean;

/** The index of the quote that closes the string opened at `open`, or the text's length when none does. */
function stringEnd(text: string, open: number): number {
  for (let close = text.indexOf('"', open + 1); close > 0; close = text.indexOf('"', close + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
  }
  return text.length;
}

/** The string opened at `open`, decoded; undefined when it is not a JSON string. */
function stringAt(text: string, open: number): string | undefined {
  try {
    return JSON.parse(text.slice(open, stringEnd(text, open) + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * The refusal of a body that nests deeper than a record; when the value is a field's (the record is an object
 * and a key came before it), it names the record and the field, as for any other invalid record.
 */
function nested(text: string, record: number, recordOpen: number, key: number): BatchScan {
  const problem = 'the body must be a JSON array of flat flow records: it nests deeper';
  const field = recordOpen >= 0 && key > recordOpen ? stringAt(text, key) : undefined;
  if (field === undefined) return { problem };
  return { problem, record: { index: record, field, message: `record ${record}: "${field}" must not be an object or array` } };
}

function scan(text: string, onKey?: KeySeen): BatchScan {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 0x20) i++;
  if (text.charCodeAt(i) !== OPEN_ARRAY) return { problem: 'the body must be a JSON array of flow records' };
  let depth = 0;
  let record = 0;
  let keys = 0;
  let lastString = -1;
  let recordOpen = -1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      lastString = i;
      i = stringEnd(text, i);
    } else if (c === COLON) {
      if (depth !== MAX_DEPTH) continue;
      keys++;
      if (onKey?.(record, lastString) === true) break;
    } else if (c === COMMA) {
      if (depth === 1) record++;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth === MAX_DEPTH) recordOpen = c === OPEN_OBJECT ? i : -1;
      if (depth > MAX_DEPTH) return nested(text, record, recordOpen, lastString);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return { keys };
}

/**
 * Checks, before JSON.parse builds anything, that a batch's text is an array whose elements nest no deeper than
 * a flat record: one pass over the characters with a depth counter, no stack, so a body of millions of nested
 * brackets is refused at its third. Counts the keys of the records for findDuplicateKey. Text that is not JSON
 * passes, for JSON.parse to refuse.
 */
export function scanBatch(text: string): BatchScan {
  return scan(text);
}

/**
 * The first key given twice in one record, which JSON.parse would silently resolve to its last value. Only
 * for a batch whose records are each valid, so each holds the six fields once after parsing: then the scan's
 * key count tells at once whether any key was repeated, and only such a batch is scanned again for which.
 */
export function findDuplicateKey(text: string, records: number, keys: number): RecordProblem | undefined {
  if (keys === records * RECORD_FIELDS) return undefined;
  let problem: RecordProblem | undefined;
  let current = -1;
  let seen = new Set<string>();
  scan(text, (record, open) => {
    if (record !== current) {
      current = record;
      seen = new Set();
    }
    const field = stringAt(text, open) ?? '';
    if (seen.has(field)) {
      problem = { index: record, field, message: `record ${record}: "${field}" is given more than once` };
      return true;
    }
    seen.add(field);
    return false;
  });
  return problem;
}
