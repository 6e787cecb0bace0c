import { Row } from './api';
import { Metric } from './view';

/** Sent and received bytes of some flows, exact. */
export interface Totals {
  bytes_tx: bigint;
  bytes_rx: bigint;
}

export const zero = (): Totals => ({ bytes_tx: 0n, bytes_rx: 0n });

export function metricOf(row: Totals, metric: Metric): bigint {
  return metric === 'bytes' ? row.bytes_tx + row.bytes_rx : row[metric];
}

export function sum(rows: Totals[]): Totals {
  const totals = zero();
  for (const row of rows) {
    totals.bytes_tx += row.bytes_tx;
    totals.bytes_rx += row.bytes_rx;
  }
  return totals;
}

export function minus(a: Totals, b: Totals): Totals {
  return { bytes_tx: a.bytes_tx - b.bytes_tx, bytes_rx: a.bytes_rx - b.bytes_rx };
}

/** A row's names as one key: rows of the same names from different reads meet under it. */
export const keyOf = (row: Row, fields: readonly string[]): string =>
  JSON.stringify(fields.map((f) => row[f as keyof Row] ?? null));
