import { allFlows, flowsQuery, Row } from './api';
import { hourCount, Hours } from './hours';
import { narrowedRows } from './narrowed';
import { named, Read } from './reads';
import { keyOf, sum, Totals } from './totals';
import { LIMITS, View } from './view';

/** The period of the same length just before a view's, as far as it reaches back. */
export interface PreviousFlows {
  hours: Hours;
  totals: Totals;
  /** Totals of the table's rows then, by keyOf(row, view.by); a row absent had no flows. */
  rows: Map<string, Totals>;
  reads: Read[];
}

/** The hours just before, as many as the view's; none when they would start before hour 0. */
export function previousHours(hours: Hours): Hours | undefined {
  const from = hours.from - hourCount(hours);
  return from < 0 ? undefined : { from, to: hours.from - 1 };
}

/**
 * The previous period's totals, and those of the table's rows: read with each grouped field narrowed to the
 * rows' values, which may bring back a few more rows, never fewer.
 */
export async function loadPrevious(view: View, talkers: Row[], signal: AbortSignal): Promise<PreviousFlows | undefined> {
  const hours = previousHours(view.hours);
  if (!hours) return undefined;
  const totalRead = flowsQuery(hours, view.filters, { by: 'hour', limit: String(Math.min(hourCount(hours), LIMITS.rows)) });
  const narrowed = Object.fromEntries(view.by.map((f) => [f, [...new Set(talkers.map((row) => row[f] ?? ''))]]));
  const [perHour, previous] = await Promise.all([
    allFlows(totalRead, signal),
    narrowedRows(hours, view.filters, narrowed, { by: view.by.join(','), limit: String(LIMITS.rows) }, signal),
  ]);
  const rows = new Map(previous.rows.map((row) => [keyOf(row, view.by), row]));
  return { hours, totals: sum(perHour), rows, reads: [...named('totals before', [totalRead]), ...named('rows before', previous.reads)] };
}
