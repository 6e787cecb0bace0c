import { flowsPage, flowsQuery, Row } from './api';
import { hourCount } from './hours';
import { narrowedRows } from './narrowed';
import { named, Read } from './reads';
import { Field, LIMITS, View } from './view';

/** The over-time chart split by the top values of a field: their totals per hour, exact. */
export interface SplitFlows {
  field: Field;
  /** The top values, largest first. */
  values: string[];
  /** Rows of `field` and `hour`: the top values' totals in each hour that has data. */
  rows: Row[];
  reads: Read[];
}

/** The top values of the view's split field over its hours, then their totals per hour. */
export async function loadSplit(view: View, field: Field, signal: AbortSignal): Promise<SplitFlows> {
  const count = Math.min(view.top, LIMITS.split);
  const topRead = flowsQuery(view.hours, view.filters, { by: field, sort: view.sort, limit: String(count) });
  const values = (await flowsPage(topRead, signal)).rows.map((row) => row[field] ?? '');
  const limit = String(Math.min(LIMITS.rows, Math.max(1, values.length * hourCount(view.hours))));
  const { rows, reads } = await narrowedRows(view.hours, view.filters, { [field]: values }, { by: `${field},hour`, limit }, signal);
  return { field, values, rows, reads: [...named('top values', [topRead]), ...named('top values per hour', reads)] };
}
