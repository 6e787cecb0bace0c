import { Document, Double } from 'mongodb';
import { IncrementStatement } from '../query/flows';
import { DUPLICATE_KEY, StatementError } from './updateCommand';

const BAD_VALUE = 2;

type Statement = IncrementStatement<Document>;

const TOTALS = ['bytes_tx', 'bytes_rx'] as const;

/** The same increment with the given totals as doubles. */
function asDoubles(statement: Statement, fields: readonly (typeof TOTALS)[number][]): Statement {
  const $inc = { ...statement.u.$inc };
  for (const field of fields) $inc[field] = new Double(Number($inc[field]));
  return { ...statement, u: { ...statement.u, $inc } };
}

/** The totals sent as doubles, in the order tried: only the one that overflows leaves Int64 if one does. */
const OVERFLOW_TRIES = [['bytes_tx'], ['bytes_rx'], ['bytes_tx', 'bytes_rx']] as const;

/**
 * What to send again for a refused statement (`sent` is `statement` as last sent), if anything:
 * - the same, refused as a duplicate key: two replicas upserting the same new document race on the _id, the
 *   loser's increment did not apply, and a retry finds the winner's document;
 * - a total MongoDB refuses to take past 2^63 - 1 as Int64: that total as a double, so no record is refused,
 *   and every read that sums it refuses it with sum_overflow, as it refuses any total past 2^63 - 1.
 */
export function retry(statement: Statement, sent: Statement, error: StatementError): Statement | undefined {
  if (error.code === DUPLICATE_KEY) return sent;
  if (error.code !== BAD_VALUE || !error.errmsg.startsWith('Failed to apply $inc')) return undefined;
  const doubled = TOTALS.filter((field) => sent.u.$inc[field] instanceof Double);
  const tried = OVERFLOW_TRIES.findIndex((fields) => fields.length === doubled.length && fields.every((f) => doubled.includes(f)));
  const next = OVERFLOW_TRIES[tried + 1];
  return next && asDoubles(statement, next);
}
