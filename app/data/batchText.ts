import { RECORD_FIELDS, RecordProblem } from './flow';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The deepest a batch may nest while it is read: an array (1) of records (2) whose values (3), and their
 * values (4), validation refuses by record and field (`{"constructor": {"prototype": {…}}}` included).
 * Deeper, the body is no batch at all.
 */
export const MAX_BATCH_DEPTH = 4;

/** Why the bytes read so far are no batch: nested too deep, or more records than a batch may hold. */
export type BatchScanProblem = { kind: 'nested' } | { kind: 'records'; records: number };

/** Called for each key of a record, with the record's index and the offsets of the key's two quotes. */
type KeySeen = (record: number, open: number, close: number) => void;

/**
 * Reads a batch's bytes as they arrive, chunk by chunk, with a few numbers of state and no stack: it refuses
 * a body at its first bracket past MAX_BATCH_DEPTH, or at the record past `maxRecords`, so a 5 KB gzip body
 * of millions of brackets costs its first inflated chunk, never its whole size. It counts the records' keys
 * for findDuplicateKey. Structural characters are ASCII, which no byte of a multi-byte UTF-8 character is;
 * text that is not JSON passes, for JSON.parse to refuse.
 */
export class BatchScanner {
  /** Keys of the records (colons at the records' depth). */
  keys = 0;
  private depth = 0;
  private separators = 0;
  private offset = 0;
  private inString = false;
  /** The chunk ended on an escaping backslash inside a string: the next byte is escaped. */
  private escapeNext = false;
  private stringOpen = -1;
  private stringClose = -1;

  constructor(
    private readonly maxRecords: number,
    private readonly onKey?: KeySeen,
  ) {}

  push(chunk: Uint8Array): BatchScanProblem | undefined {
    let i = this.inString ? this.stringEnd(chunk, this.escapeNext ? 1 : 0) + 1 : 0;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      // Most bytes outside strings are digits and spaces: one comparison lets them by.
      if (c < QUOTE || (c > COMMA && c < COLON)) continue;
      if (c === QUOTE) {
        this.stringOpen = this.offset + i;
        i = this.stringEnd(chunk, i + 1);
      } else if (c === COLON) {
        if (this.depth !== 2) continue;
        this.keys++;
        this.onKey?.(this.separators, this.stringOpen, this.stringClose);
      } else if (c === COMMA) {
        if (this.depth === 1 && ++this.separators >= this.maxRecords) return { kind: 'records', records: this.separators + 1 };
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++this.depth > MAX_BATCH_DEPTH) return { kind: 'nested' };
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        this.depth--;
      }
    }
    this.offset += chunk.length;
    return undefined;
  }

  /**
   * The index of the quote that ends the string the scan is in, searching from `from` (the bytes before it
   * in this chunk are the opening quote or an escaped byte); the chunk's length when the string goes on in
   * the next chunk. A quote after an odd run of backslashes is escaped.
   */
  private stringEnd(chunk: Uint8Array, from: number): number {
    this.inString = true;
    this.escapeNext = false;
    for (let close = chunk.indexOf(QUOTE, from); close >= 0; close = chunk.indexOf(QUOTE, close + 1)) {
      if (backslashesBefore(chunk, close, from) % 2 === 0) {
        this.inString = false;
        this.stringClose = this.offset + close;
        return close;
      }
    }
    this.escapeNext = backslashesBefore(chunk, chunk.length, from) % 2 === 1;
    return chunk.length;
  }
}

/** How many backslashes come right before `at`, counting back no further than `from`. */
function backslashesBefore(chunk: Uint8Array, at: number, from: number): number {
  let count = 0;
  while (at - 1 - count >= from && chunk[at - 1 - count] === BACKSLASH) count++;
  return count;
}

/**
 * The first key given twice in one record, which JSON.parse would silently resolve to its last value. Only
 * for a batch whose records are each valid, so each holds the six fields once after parsing: then the key
 * count tells at once whether any key was repeated, and only such a batch is scanned again for which.
 */
export function findDuplicateKey(bytesOf: () => Buffer, records: number, keys: number): RecordProblem | undefined {
  if (keys === records * RECORD_FIELDS) return undefined;
  const bytes = bytesOf();
  const seen = new Map<number, Set<string>>();
  let problem: RecordProblem | undefined;
  new BatchScanner(Infinity, (record, open, close) => {
    const field = JSON.parse(bytes.subarray(open, close + 1).toString()) as string;
    const fields = seen.get(record) ?? new Set<string>();
    if (fields.has(field)) problem ??= { index: record, field, message: `record ${record}: "${field}" is given more than once` };
    seen.set(record, fields.add(field));
  }).push(bytes);
  return problem;
}
