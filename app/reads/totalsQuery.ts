import { Document } from 'mongodb';
import { Dimension, DIMENSIONS, NameField, SortTotal } from '../api/constants';

/** A value of a row's sort key: a total (Int64) or a dimension. */
export type PositionValue = bigint | string | number;

/** What a page of totals selects and orders: the same for every page of a read. */
export interface TotalsQuery {
  /** Hours since the epoch, both included. */
  from: number;
  to: number;
  /** Per name, the values a row may have; absent means any. */
  filters: Partial<Record<NameField, readonly string[]>>;
  /** A non-empty subset of DIMENSIONS, in their order. */
  by: readonly Dimension[];
  sort?: SortTotal;
}

/** One page of a read: the rows after `after` in the query's order, `limit` of them at most. */
export interface PageQuery extends TotalsQuery {
  limit: number;
  /** The sort key of the last row already read: only rows after it are fetched. */
  after?: readonly PositionValue[];
}

/** Rows of a whole-key read are the key documents themselves; any other read groups documents. */
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
