/**
 * What the service and its clients agree on: the fields of a flow, the bounds of an hour, the limits of a
 * read. No imports, so the console bundles it as it is.
 */

/** The names of a flow, each filterable by exact values; in key order. */
export const NAME_FIELDS = ['src_app', 'dest_app', 'vpc_id'] as const;
export type NameField = (typeof NAME_FIELDS)[number];

/** The fields a row can be grouped by, in key order: the names, then the hour. */
export const DIMENSIONS = [...NAME_FIELDS, 'hour'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The totals a read can be sorted by, always descending; `bytes` is bytes_tx + bytes_rx. */
export const SORT_TOTALS = ['bytes', 'bytes_tx', 'bytes_rx'] as const;
export type SortTotal = (typeof SORT_TOTALS)[number];

/** Hours count from the Unix epoch, in UTC; the cap keeps them a 32-bit integer in storage. */
export const MAX_HOUR = 2_147_483_647;
/** The longest name, in code points. */
export const MAX_NAME_LENGTH = 256;

/** Values one filter may list. */
export const MAX_FILTER_VALUES = 100;
/** Rows one page may hold, and how many it holds unless asked. */
export const MAX_PAGE_ROWS = 10_000;
export const DEFAULT_PAGE_ROWS = 1000;
/** MAX_QUERY_HOURS unless configured: 31 days. */
export const DEFAULT_MAX_QUERY_HOURS = 744;
