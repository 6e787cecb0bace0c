import { MAX_FILTER_VALUES, MAX_PAGE_ROWS, NAME_FIELDS, NameField, SORT_TOTALS } from '../api/constants';
import { Hours } from './hours';

export const FIELDS = NAME_FIELDS;
export type Field = NameField;
export const fieldNames: Record<Field, string> = { src_app: 'Source app', dest_app: 'Destination app', vpc_id: 'VPC' };
export const METRICS = SORT_TOTALS;
export type Metric = (typeof METRICS)[number];
export const REFRESH_SECONDS = [60, 300] as const;

/** Everything a view shows, all of it in the page's URL. */
export interface View {
  hours: Hours;
  /** Set when the hours follow the clock: the last `last` hours, the current one included. */
  last?: number;
  /** Values per field; a flow matches any value given for a field. */
  filters: Record<Field, string[]>;
  /** The fields the table groups by, in the API's order. */
  by: Field[];
  sort: Metric;
  /** Sources and destinations the Sankey diagram names before summing the rest as "other". */
  top: number;
  /** Rows the table shows. */
  rows: number;
  /** Byte counts to the last digit rather than in KB, MB, GB. */
  exact: boolean;
  /** The over-time chart's series: the top values of this field and "other", or sent and received. */
  split?: Field;
  /** Whether the totals and the table compare with the period of the same length just before. */
  compare: boolean;
  /** Seconds between automatic refreshes; 0 for none. */
  refresh: number;
}

/**
 * The view a URL may leave without hours: with `last` they follow the clock; without it the console shows
 * its default range.
 */
export type Requested = Omit<View, 'hours'> & { hours?: Hours };

export const defaults = { by: [...FIELDS], sort: 'bytes' as Metric, top: 10, rows: 25, refresh: 0 };
/** At most `split` series of the over-time chart are named; the rest is "other". */
export const LIMITS = { top: 50, rows: MAX_PAGE_ROWS, values: MAX_FILTER_VALUES, split: 10 };

/** The filters with every value removed. */
export const noFilters = (): Record<Field, string[]> => ({ src_app: [], dest_app: [], vpc_id: [] });
