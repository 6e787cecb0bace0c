import { Document } from 'mongodb';

/** The fields a row can be grouped by, in key order: the order of a row's fields and of its sort. */
export const DIMENSIONS = ['src_app', 'dest_app', 'vpc_id', 'hour'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The dimensions with names: each can be filtered by a set of exact values. */
export const NAME_DIMENSIONS = ['src_app', 'dest_app', 'vpc_id'] as const;
export type NameDimension = (typeof NAME_DIMENSIONS)[number];

/** The totals a read can be sorted by, always descending; `bytes` is bytes_tx + bytes_rx. */
export const SORT_TOTALS = ['bytes', 'bytes_tx', 'bytes_rx'] as const;
export type SortTotal = (typeof SORT_TOTALS)[number];

/** A value of a row's sort key: a total (Int64) or a dimension. */
export type PositionValue = bigint | string | number;

export interface TotalsQuery {
  /** Hours since the epoch, both included. */
  from: number;
  to: number;
  /** Per dimension, the values a row may have; absent means any. */
  filters: Partial<Record<NameDimension, readonly string[]>>;
  /** A non-empty subset of DIMENSIONS, in their order. */
  by: readonly Dimension[];
  sort?: SortTotal;
  /** Rows to fetch. */
  limit: number;
  /** The sort key of the last row already read: only rows after it are fetched. */
  after?: readonly PositionValue[];
}

/** Rows of a whole-key read are the documents themselves; any other read groups them. */
export function isGrouped(by: readonly Dimension[]): boolean {
  return by.length < DIMENSIONS.length;
}

/** Where a row's dimension is: in the group's _id, or the document's own field. */
export function dimensionPath(by: readonly Dimension[], dimension: Dimension): string {
  return isGrouped(by) ? `_id.${dimension}` : dimension;
}

/**
 * A row's sort key, most significant first: the sort total (descending), then the dimensions in key order
 * (ascending). The dimensions identify the row, so the order is total and a position in it is exact.
 */
export function sortKeyPaths(query: Pick<TotalsQuery, 'by' | 'sort'>): { path: string; descending: boolean }[] {
  const dimensions = query.by.map((d) => ({ path: dimensionPath(query.by, d), descending: false }));
  return query.sort ? [{ path: query.sort, descending: true }, ...dimensions] : dimensions;
}

/** A row's sort key, to resume after it. */
export function sortKeyOf(query: Pick<TotalsQuery, 'by' | 'sort'>, row: Document): PositionValue[] {
  return sortKeyPaths(query).map(
    ({ path }) => path.split('.').reduce<unknown>((value, field) => (value as Document)[field], row) as PositionValue,
  );
}

/** Rows strictly after `after` in the sort order: the lexicographic comparison as an $or of prefixes. */
function afterPosition(keys: ReturnType<typeof sortKeyPaths>, after: readonly PositionValue[]): Document {
  return {
    $or: keys.map((key, i) => {
      const branch: Document = {};
      for (let j = 0; j < i; j++) branch[keys[j].path] = after[j];
      branch[key.path] = { [key.descending ? '$lt' : '$gt']: after[i] };
      return branch;
    }),
  };
}

/**
 * The aggregation that answers a read. The first $match holds only equalities, $in lists and ranges on the
 * read index's fields {hour, src_app, dest_app, vpc_id}, so MongoDB reads the range from the index
 * (docs/reads.md shows the plans). Totals are summed as Int64; a sum past 2^63 - 1 comes back as a
 * double, which the caller refuses.
 */
export function totalsPipeline(query: TotalsQuery): Document[] {
  // MongoDB plans from the fields, in any order; servers that test a document field by field (mongo-java-server)
  // reject most documents sooner on a name than on the hour every document of the range matches.
  const match: Document = {};
  for (const dimension of NAME_DIMENSIONS) {
    const values = query.filters[dimension];
    if (values) match[dimension] = { $in: values };
  }
  match.hour = query.from === query.to ? query.from : { $gte: query.from, $lte: query.to };
  const grouped = isGrouped(query.by);
  const pipeline: Document[] = [{ $match: match }];
  if (grouped) {
    pipeline.push({
      $group: {
        _id: Object.fromEntries(query.by.map((d) => [d, `$${d}`])),
        bytes_tx: { $sum: '$bytes_tx' },
        bytes_rx: { $sum: '$bytes_rx' },
      },
    });
  }
  if (query.sort === 'bytes') pipeline.push({ $addFields: { bytes: { $sum: ['$bytes_tx', '$bytes_rx'] } } });
  const keys = sortKeyPaths(query);
  if (query.after) pipeline.push({ $match: afterPosition(keys, query.after) });
  pipeline.push({ $sort: Object.fromEntries(keys.map((k) => [k.path, k.descending ? -1 : 1])) });
  pipeline.push({ $limit: query.limit });
  // Last, so the $match, $sort and $limit before it stay one query MongoDB can answer from the index.
  if (!grouped) pipeline.push({ $project: { _id: 0 } });
  return pipeline;
}
