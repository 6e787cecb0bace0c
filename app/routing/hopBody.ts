import { MAX_HOUR } from '../api/constants';
import { isCount, isName } from '../data/flow';
import { PartClaim } from '../query/exactlyOnce';
import { flowKeyId } from '../query/flows';
import { FlushContent, KeyedPart } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';

/**
 * The body of a forward: the totals of the keys one member owns, summed over the records of one or more
 * requests, and how many records they hold; beside them, each part of a request with an idempotency key,
 * a unit of its own with its claim (docs/exactly-once.md).
 *
 *   {"records": 250, "rows": [[hour, src_app, dest_app, vpc_id, bytes_tx, bytes_rx], …],
 *    "parts": [{"claim": {"id", "digest", "split", "part", "records"}, "records": 40, "rows": […]}]}
 *
 * Totals are JSON numbers while they are safe integers and decimal strings beyond, so none is rounded.
 */
export function encodeForward({ unkeyed, parts }: FlushContent): string {
  const body: Record<string, unknown> = { records: unkeyed.records, rows: rowsOf(unkeyed) };
  if (parts.length > 0) body.parts = parts.map(({ claim, totals }) => ({ claim, records: totals.records, rows: rowsOf(totals) }));
  return JSON.stringify(body);
}

function rowsOf(totals: FlowTotals): unknown[] {
  const rows: unknown[] = [];
  const exact = (n: number | bigint) => (typeof n === 'bigint' ? n.toString() : n);
  totals.byKey.forEach(({ key, bytesTx, bytesRx }) =>
    rows.push([key.hour, key.src_app, key.dest_app, key.vpc_id, exact(bytesTx), exact(bytesRx)]),
  );
  return rows;
}

const MAX_INT64 = 2n ** 63n - 1n;

/** A total as sent: a safe integer, or a decimal string up to 2^63 - 1. */
function total(value: unknown): number | bigint | undefined {
  if (isCount(value, Number.MAX_SAFE_INTEGER)) return value;
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n <= MAX_INT64 ? n : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks one member's names once each: names repeat from key to key. */
function nameChecker(): (value: unknown) => value is string {
  const checked = new Set<unknown>();
  return (value: unknown): value is string => {
    if (checked.has(value)) return true;
    if (!isName(value)) return false;
    checked.add(value);
    return true;
  };
}

/** Rows as sent, into totals; undefined when any field is wrong, or when they hold more keys than records. */
function totalsOf(rows: unknown, records: unknown, name: (value: unknown) => value is string): FlowTotals | undefined {
  if (!Array.isArray(rows) || !isCount(records, Number.MAX_SAFE_INTEGER) || records < rows.length) return undefined;
  const totals = new FlowTotals();
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 6) return undefined;
    const [hour, src_app, dest_app, vpc_id] = row as unknown[];
    const [tx, rx] = [total(row[4]), total(row[5])];
    if (!isCount(hour, MAX_HOUR) || !name(src_app) || !name(dest_app) || !name(vpc_id)) return undefined;
    if (tx === undefined || rx === undefined) return undefined;
    const key = { hour, src_app, dest_app, vpc_id };
    totals.addKey(flowKeyId(key), key, tx, rx);
  }
  totals.records = records;
  return totals;
}

/** A part's claim as sent: every field of its type and within its bounds. */
function claimOf(value: unknown): PartClaim | undefined {
  if (!isObject(value)) return undefined;
  const { id, digest, split, part, records, ...rest } = value;
  if (Object.keys(rest).length > 0) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > 1024) return undefined;
  if (typeof digest !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(digest)) return undefined;
  if (typeof split !== 'string' || !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(split) || split.length > 65_536) return undefined;
  if (!isCount(part, 10_000) || !isCount(records, Number.MAX_SAFE_INTEGER) || records === 0) return undefined;
  return { id, digest, split, part, records };
}

/**
 * A forward as another member sent it, checked as strictly as a client's batch: every field, type and
 * bound, at most `maxRows` keys in all, and at least as many records as keys. Undefined when anything is
 * wrong.
 */
export function decodeForward(body: unknown, maxRows: number): FlushContent | undefined {
  if (!isObject(body)) return undefined;
  const { records, rows, parts = [], ...rest } = body;
  if (Object.keys(rest).length > 0 || !Array.isArray(parts)) return undefined;
  const name = nameChecker();
  const unkeyed = totalsOf(rows, records, name);
  if (!unkeyed) return undefined;
  const keyed: KeyedPart[] = [];
  let keys = unkeyed.byKey.size;
  for (const part of parts) {
    if (!isObject(part) || Object.keys(part).length !== 3) return undefined;
    const claim = claimOf(part.claim);
    const totals = totalsOf(part.rows, part.records, name);
    if (!claim || !totals || totals.byKey.size === 0) return undefined;
    keys += totals.byKey.size;
    keyed.push({ claim, totals });
  }
  if (keys === 0 || keys > maxRows) return undefined;
  return { unkeyed, parts: keyed };
}
