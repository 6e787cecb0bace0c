import { Document, Double, IndexDescription, Long } from 'mongodb';
import { NameField } from '../api/constants';
import { IncrementStatement } from './flows';

export const HOURS_PER_DAY = 24;

/** Hours one roll-up document covers: its hour alone, or the UTC day that starts at its hour. */
export type Span = 1 | typeof HOURS_PER_DAY;

/**
 * Totals that keep fewer names than the key documents and cover an hour or a day: a read that needs no more
 * than a roll-up keeps is answered from far fewer documents. Every roll-up's documents share one collection
 * beside the key documents' (`${collection}.rollups`), each marked with its roll-up's name, so a flush sends
 * one update command for the key documents and one for all roll-ups (docs/reads.md).
 */
export interface Rollup {
  name: string;
  /** The names kept, in key order; the others are summed over. */
  fields: readonly NameField[];
  /** The spans kept: every roll-up keeps hours; days where a flush's extra upserts pay (docs/reads.md). */
  spans: readonly Span[];
}

/** The grand totals: one document an hour, which also says whether the hour holds any data. */
export const TOTAL_ROLLUP: Rollup = { name: 'total', fields: [], spans: [1, HOURS_PER_DAY] };

/** The roll-ups, as chosen from the benchmark's reads and their write cost (docs/reads.md). */
export const ROLLUPS: readonly Rollup[] = [
  { name: 'by_src_app', fields: ['src_app'], spans: [1, HOURS_PER_DAY] },
  { name: 'by_dest_app', fields: ['dest_app'], spans: [1] },
  { name: 'by_vpc_id', fields: ['vpc_id'], spans: [1, HOURS_PER_DAY] },
  TOTAL_ROLLUP,
];

/** What identifies a roll-up document: its roll-up, its first hour, its span, and the names it keeps. */
export interface RollupKey extends Partial<Record<NameField, string>> {
  rollup: string;
  hour: number;
  hours: Span;
}

export interface RollupDocument extends RollupKey {
  _id: string;
  bytes_tx: Long | bigint | number | Double;
  bytes_rx: Long | bigint | number | Double;
}

/**
 * The document's `_id`: the roll-up, the span and first hour, then the names kept, joined by a character no
 * name may hold, so distinct keys never share an id and every upsert is one lookup of the _id index.
 */
export function rollupId(rollup: Rollup, hours: Span, hour: number, names: readonly string[]): string {
  const head = `${rollup.name}:${hours === 1 ? 'hour' : 'day'}:${hour}`;
  return names.length === 0 ? head : `${head}\u0001${names.join('\u0001')}`;
}

/** Adds a flush's totals to one roll-up document, creating it on first sight. */
export function incrementRollup(
  rollup: Rollup,
  hours: Span,
  hour: number,
  names: readonly string[],
  bytesTx: bigint | number,
  bytesRx: bigint | number,
): IncrementStatement<RollupKey> {
  const key: RollupKey = { rollup: rollup.name, hour, hours };
  rollup.fields.forEach((field, i) => (key[field] = names[i]));
  return {
    q: { _id: rollupId(rollup, hours, hour, names) },
    u: { $inc: { bytes_tx: BigInt(bytesTx), bytes_rx: BigInt(bytesRx) }, $setOnInsert: key },
    upsert: true,
  };
}

/**
 * Serves every read of a roll-up: its name, a span, a range of hours, and filters on the names it keeps (the
 * names it does not keep are missing, null in the index).
 */
export const rollupReadIndex: IndexDescription = {
  key: { rollup: 1, hours: 1, hour: 1, src_app: 1, dest_app: 1, vpc_id: 1 },
  name: 'rollup_hours_hour_src_dest_vpc',
};

/** The roll-up documents whose first hour is before `hour`, which the retention sweep deletes: ranges of the index. */
export function expiredRollupsQuery(hour: number): { filter: Document; projection: Document } {
  return {
    filter: { rollup: { $in: ROLLUPS.map((r) => r.name) }, hours: { $in: [1, HOURS_PER_DAY] }, hour: { $lt: hour } },
    projection: { _id: 1 },
  };
}
