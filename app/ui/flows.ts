import { allFlows, flowsPage, flowsQuery, Row } from './api';
import { hourCount } from './hours';
import { LIMITS, Metric, View } from './view';

export interface Totals {
  bytes_tx: bigint;
  bytes_rx: bigint;
}

/** What a view shows, read from the API. */
export interface Flows {
  /** Totals of every selected flow, per hour that has data, in hour order. */
  perHour: Row[];
  /** Totals of every selected flow. */
  totals: Totals;
  /** The table's rows, and whether the API has more. */
  talkers: Row[];
  more: boolean;
  /** The top source → destination pairs. */
  pairs: Row[];
}

export function metricOf(row: Totals, metric: Metric): bigint {
  return metric === 'bytes' ? row.bytes_tx + row.bytes_rx : row[metric];
}

export function sum(rows: Row[]): Totals {
  const totals = { bytes_tx: 0n, bytes_rx: 0n };
  for (const row of rows) {
    totals.bytes_tx += row.bytes_tx;
    totals.bytes_rx += row.bytes_rx;
  }
  return totals;
}

/** Three reads of the view's hours and filters: per hour (the totals), the table's top rows, the top pairs. */
export async function loadFlows(view: View, signal: AbortSignal): Promise<Flows> {
  const query = (extra: Record<string, string>) => flowsQuery(view.hours, view.filters, extra);
  const sorted = { sort: view.sort };
  const [perHour, talkers, pairs] = await Promise.all([
    allFlows(query({ by: 'hour', limit: String(Math.min(hourCount(view.hours), LIMITS.rows)) }), signal),
    flowsPage(query({ by: view.by.join(','), ...sorted, limit: String(view.rows) }), signal),
    flowsPage(query({ by: 'src_app,dest_app', ...sorted, limit: String(view.top) }), signal),
  ]);
  return { perHour, totals: sum(perHour), talkers: talkers.rows, more: talkers.next !== undefined, pairs: pairs.rows };
}
