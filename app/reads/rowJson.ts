import { Document } from 'mongodb';
import { ApiError } from '../api/apiError';
import { Dimension } from '../api/constants';
import { isGrouped } from './totalsQuery';

/** A total as JSON, digit-exact: Int64 arrives as bigint; a double is a sum MongoDB could not hold in 64 bits. */
export function totalJson(value: unknown, field: string): string {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return String(value);
  throw new ApiError(
    422,
    'sum_overflow',
    `a row's ${field} exceeds 2^63 - 1, the largest total FAS can answer exactly; narrow the range or the filters`,
  );
}

/**
 * Renders the rows of a read: the `by` fields in key order, then bytes_tx and bytes_rx. A grouped row holds
 * its dimensions in _id; a whole-key row is the document itself.
 */
export function rowWriter(by: readonly Dimension[]): (row: Document) => string {
  const grouped = isGrouped(by);
  return (row) => {
    const key = grouped ? (row._id as Document) : row;
    let json = '{';
    for (const dimension of by) {
      json += `"${dimension}":${dimension === 'hour' ? key.hour : JSON.stringify(key[dimension])},`;
    }
    return `${json}"bytes_tx":${totalJson(row.bytes_tx, 'bytes_tx')},"bytes_rx":${totalJson(row.bytes_rx, 'bytes_rx')}}`;
  };
}
