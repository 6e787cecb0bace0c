import { MAX_HOUR } from '../api/constants';
import { isCount, isName } from '../data/flow';
import { flowKeyId } from '../query/flows';
import { FlowTotals } from '../storage/flowTotals';

/**
 * The body of a forwarded part: the totals of the keys one member owns, summed over the records of one or
 * more requests, and how many records they hold.
 *
 *   {"records": 250, "rows": [[hour, src_app, dest_app, vpc_id, bytes_tx, bytes_rx], …]}
 *
 * Totals are JSON numbers while they are safe integers and decimal strings beyond, so none is rounded.
 */
export function encodePart(part: FlowTotals): string {
  const rows: unknown[] = [];
  const exact = (n: number | bigint) => (typeof n === 'bigint' ? n.toString() : n);
  part.byKey.forEach(({ key, bytesTx, bytesRx }) =>
    rows.push([key.hour, key.src_app, key.dest_app, key.vpc_id, exact(bytesTx), exact(bytesRx)]),
  );
  return JSON.stringify({ records: part.records, rows });
}

const MAX_INT64 = 2n ** 63n - 1n;

/** A total as sent: a safe integer, or a decimal string up to 2^63 - 1. */
function total(value: unknown): number | bigint | undefined {
  if (isCount(value, Number.MAX_SAFE_INTEGER)) return value;
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n <= MAX_INT64 ? n : undefined;
}

/**
 * A part as another member sent it, checked as strictly as a client's batch: every field, type and bound,
 * at most `maxRows` keys, and at least as many records as keys. Undefined when anything is wrong.
 */
export function decodePart(body: unknown, maxRows: number): FlowTotals | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { records, rows, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || !Array.isArray(rows) || rows.length === 0 || rows.length > maxRows) return undefined;
  if (!isCount(records, Number.MAX_SAFE_INTEGER) || records < rows.length) return undefined;
  const part = new FlowTotals();
  // Names repeat from key to key: each distinct one is checked once.
  const checked = new Set<unknown>();
  const name = (value: unknown): value is string => {
    if (checked.has(value)) return true;
    if (!isName(value)) return false;
    checked.add(value);
    return true;
  };
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 6) return undefined;
    const [hour, src_app, dest_app, vpc_id] = row as unknown[];
    const [tx, rx] = [total(row[4]), total(row[5])];
    if (!isCount(hour, MAX_HOUR) || !name(src_app) || !name(dest_app) || !name(vpc_id)) return undefined;
    if (tx === undefined || rx === undefined) return undefined;
    const key = { hour, src_app, dest_app, vpc_id };
    part.addKey(flowKeyId(key), key, tx, rx);
  }
  part.records = records;
  return part;
}
