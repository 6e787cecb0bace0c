import { createHash } from 'node:crypto';
import { hourSchema } from '../data/flow';
import { ApiError } from '../api/apiError';
import { PositionValue, sortKeyPaths, TotalsQuery } from './totalsQuery';

const MAX_INT64 = 2n ** 63n - 1n;

/** Identifies the rows a query selects and their order, so a cursor is only ever read with its own query. */
function fingerprint(query: TotalsQuery): string {
  const { from, to, filters, by, sort } = query;
  return createHash('sha256')
    .update(JSON.stringify([from, to, filters.src_app, filters.dest_app, filters.vpc_id, by, sort ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

function invalidCursor(): ApiError {
  return new ApiError(400, 'invalid_parameter', 'cursor is not one this query gave out: copy it from the Link header', {
    parameter: 'cursor',
  });
}

/**
 * The cursor for the page after a row: the row's sort key and the query's fingerprint. It holds no filter
 * of its own, so whatever a client makes of it only moves the start within the rows the query selects.
 */
export function encodeCursor(query: TotalsQuery, position: readonly PositionValue[]): string {
  const key = position.map((value) => (typeof value === 'bigint' ? String(value) : value));
  return Buffer.from(JSON.stringify({ q: fingerprint(query), k: key })).toString('base64url');
}

/** The position a cursor holds, checked value by value against the query's sort key. */
export function decodeCursor(query: TotalsQuery, cursor: string): PositionValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const { q, k } = (parsed ?? {}) as { q?: unknown; k?: unknown };
  const paths = sortKeyPaths(query);
  if (q !== fingerprint(query) || !Array.isArray(k) || k.length !== paths.length) throw invalidCursor();
  return paths.map(({ path }, i) => {
    const value: unknown = k[i];
    if (path === query.sort) {
      if (typeof value !== 'string' || !/^\d{1,19}$/.test(value) || BigInt(value) > MAX_INT64) throw invalidCursor();
      return BigInt(value);
    }
    if (path.endsWith('hour')) {
      if (typeof value !== 'number' || hourSchema.validate(value).error) throw invalidCursor();
      return value;
    }
    if (typeof value !== 'string') throw invalidCursor();
    return value;
  });
}
