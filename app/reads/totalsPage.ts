import { Collection, Document } from 'mongodb';
import { encodeCursor } from './pageCursor';
import { withinQueryTimeout } from './queryTimeout';
import { ReadPlan } from './readPlan';
import { PageRequest } from './readRequest';
import { rowWriter, totalJson } from './rowJson';
import { totalsPipeline } from './totalsPipeline';
import { sortKeyOf } from './totalsQuery';

export interface TotalsPage {
  /** The page's rows as a JSON array. */
  json: string;
  /** The cursor of the next page, when more rows follow. */
  next?: string;
}

/**
 * One page of a read from the documents the plan names. It asks for `limit` + 1 rows: the extra row, not
 * sent, tells whether another page follows, and its cursor is the last row's position. The page is read
 * whole, within the query timeout, before anything is sent, so every failure still gets a status code.
 */
export async function totalsPage(
  collection: Collection<Document>,
  { query, limit, after }: PageRequest,
  plan: ReadPlan,
  timeoutMs: number,
): Promise<TotalsPage> {
  const cursor = collection.aggregate(totalsPipeline({ ...query, limit: limit + 1, after }, plan), {
    // Int64 sums as bigint, so no total passes through a double.
    useBigInt64: true,
    maxTimeMS: timeoutMs,
    // Grouping a month of keys can pass the 100 MB an in-memory stage may use.
    allowDiskUse: true,
  });
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
