import { AggregationCursor, Document } from 'mongodb';
import { sortKeyOf, TotalsQuery } from '../query/totals';
import { encodeCursor } from './pageCursor';
import { withinQueryTimeout } from './queryTimeout';
import { rowWriter, totalJson } from './rowJson';

export interface TotalsPage {
  /** The page's rows as a JSON array. */
  json: string;
  /** The cursor of the next page, when more rows follow. */
  next?: string;
}

/**
 * Reads one page from a cursor that asks for `limit` + 1 rows: the extra row, not sent, tells whether another
 * page follows. The page is read whole before anything is sent, so every failure still gets a status code.
 */
export async function totalsPage(
  cursor: AggregationCursor<Document>,
  query: Omit<TotalsQuery, 'limit' | 'after'>,
  limit: number,
  timeoutMs: number,
): Promise<TotalsPage> {
  let rows: Document[];
  try {
    rows = await withinQueryTimeout(cursor.toArray(), timeoutMs);
  } finally {
    // Not awaited: on a stalled connection closing would wait as long as the read did.
    cursor.close().catch(() => {});
  }
  const more = rows.length > limit;
  if (more) rows.length = limit;
  // A `bytes` past 2^63 - 1 would order the rows only approximately.
  if (query.sort === 'bytes') for (const row of rows) totalJson(row.bytes, 'bytes_tx + bytes_rx');
  return {
    json: `[${rows.map(rowWriter(query.by)).join(',')}]`,
    next: more ? encodeCursor(query, sortKeyOf(query, rows[rows.length - 1])) : undefined,
  };
}
