import { AnyBulkWriteOperation, Document, IndexDescription, Long, Sort } from 'mongodb';

/** The roll-up document: one per (hour, src_app, dest_app, vpc_id), its byte counts summed as Int64. */
export interface FlowTotalsDocument {
  hour: number;
  src_app: string;
  dest_app: string;
  vpc_id: string;
  bytes_tx: Long | bigint | number;
  bytes_rx: Long | bigint | number;
}

export interface FlowKey {
  hour: number;
  src_app: string;
  dest_app: string;
  vpc_id: string;
}

/** Unique per key: upserts find their one document through it and GET reads an hour in key order from it. */
export const flowKeyIndex: IndexDescription = {
  key: { hour: 1, src_app: 1, dest_app: 1, vpc_id: 1 },
  name: 'hour_src_dest_vpc_unique',
  unique: true,
};

/** Adds a batch's totals for one key, creating the document on first sight. */
export function incrementTotals(
  key: FlowKey,
  bytesTx: bigint | number,
  bytesRx: bigint | number,
): AnyBulkWriteOperation<FlowTotalsDocument> {
  return {
    updateOne: {
      // Spelled out field by field so the filter can only ever be an equality on the key.
      filter: { hour: key.hour, src_app: key.src_app, dest_app: key.dest_app, vpc_id: key.vpc_id },
      update: { $inc: { bytes_tx: toInt64(bytesTx), bytes_rx: toInt64(bytesRx) } },
      upsert: true,
    },
  };
}

// Always Int64, so the stored type never depends on the size of the first increment.
function toInt64(value: bigint | number): Long {
  return typeof value === 'bigint' ? Long.fromBigInt(value) : Long.fromNumber(value);
}

/** Rows of one hour, in the documented order: src_app, then dest_app, then vpc_id. */
export function hourTotalsQuery(hour: number): { filter: Document; projection: Document; sort: Sort } {
  return {
    filter: { hour },
    projection: { _id: 0, src_app: 1, dest_app: 1, vpc_id: 1, hour: 1, bytes_tx: 1, bytes_rx: 1 },
    sort: { src_app: 1, dest_app: 1, vpc_id: 1 },
  };
}
