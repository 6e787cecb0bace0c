import { Document, IndexDescription, Long, Sort } from 'mongodb';

/**
 * The roll-up document: one per (hour, src_app, dest_app, vpc_id), its byte counts summed as Int64. Its `_id`
 * is the key itself (flowKeyId), so every upsert finds its document through the _id index alone.
 */
export interface FlowTotalsDocument {
  _id: string;
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

/**
 * The key as one string: the document's `_id`, and the key of a flush's totals in memory. Validated names
 * contain no control characters, so the separator cannot occur inside a field and distinct keys always give
 * distinct ids: names never merge, whatever they hold.
 */
export function flowKeyId(key: FlowKey): string {
  return `${key.hour}\u0001${key.src_app}\u0001${key.dest_app}\u0001${key.vpc_id}`;
}

/** The fields reads select and sort by, in key order after the hour. */
export const flowReadFields = { hour: 1, src_app: 1, dest_app: 1, vpc_id: 1 } as const;

/** Serves reads: an hour's keys in key order, and every range, filter and group (docs/reads.md). */
export const flowReadIndex: IndexDescription = { key: flowReadFields, name: 'hour_src_dest_vpc' };

/** One statement of an update command: adds a flush's totals to one key's document, created on first sight. */
export interface IncrementStatement {
  q: { _id: string };
  u: {
    $inc: { bytes_tx: bigint; bytes_rx: bigint };
    $setOnInsert: FlowKey;
  };
  upsert: true;
}

/** Adds a flush's totals for one key, creating the document on first sight. */
export function incrementTotals(id: string, key: FlowKey, bytesTx: bigint | number, bytesRx: bigint | number): IncrementStatement {
  return {
    // An equality on _id alone: the one index every MongoDB-wire store keeps and looks up without a scan,
    // and the shard key of a sharded deployment, which every upsert's filter must carry.
    q: { _id: id },
    u: {
      // Always Int64 (BSON's encoding of a bigint), so the stored type never depends on the size of the first
      // increment. A bigint rather than a Long: cheaper to make and to encode (scripts/bench/driver-cost.cjs).
      $inc: { bytes_tx: BigInt(bytesTx), bytes_rx: BigInt(bytesRx) },
      // Spelled out field by field so nothing but the key can reach the stored document.
      $setOnInsert: { hour: key.hour, src_app: key.src_app, dest_app: key.dest_app, vpc_id: key.vpc_id },
    },
    upsert: true,
  };
}

/**
 * An upper bound of the statement's BSON size in a command's array of statements: at most 180 bytes of field
 * names, types, lengths, the hour, its index and separators, plus the names twice (in the _id and as fields)
 * in UTF-8, at most 3 bytes per UTF-16 code unit.
 */
export function incrementMaxBytes({ u }: IncrementStatement): number {
  const { src_app, dest_app, vpc_id } = u.$setOnInsert;
  return 180 + 6 * (src_app.length + dest_app.length + vpc_id.length);
}

/** Rows of one hour, in the documented order: src_app, then dest_app, then vpc_id. */
export function hourTotalsQuery(hour: number): { filter: Document; projection: Document; sort: Sort } {
  return {
    filter: { hour },
    projection: { _id: 0, src_app: 1, dest_app: 1, vpc_id: 1, hour: 1, bytes_tx: 1, bytes_rx: 1 },
    sort: { src_app: 1, dest_app: 1, vpc_id: 1 },
  };
}

/** The documents of hours before `hour`, which the retention sweep deletes: one range of the read index. */
export function expiredFlowsQuery(hour: number): { filter: Document; projection: Document } {
  return { filter: { hour: { $lt: hour } }, projection: { _id: 1 } };
}
