import { Document, IndexDescription, Long, Sort } from 'mongodb';

/** The roll-up document: one per (hour, src_app, dest_app, vpc_id), its byte counts summed as Int64. */
export interface FlowTotalsDocument {
  bucket: number;
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
 * Every key is assigned one of BUCKETS buckets by a hash of the whole key. The bucket leads the unique index
 * and the shard key of a sharded deployment: the current hour's writes spread over every bucket's chunks
 * (so over every shard), while reading an hour is one index range per bucket. Fixed forever: changing it
 * would move existing keys to other buckets.
 */
export const BUCKETS = 16;
export const ALL_BUCKETS = Array.from({ length: BUCKETS }, (_, i) => i);

/**
 * The key as one string. Validated names contain no control characters, so the separator cannot occur
 * inside a field and distinct keys always give distinct strings.
 */
export function flowKeyText(key: FlowKey): string {
  return `${key.hour}\u0001${key.src_app}\u0001${key.dest_app}\u0001${key.vpc_id}`;
}

/** FNV-1a over the key text's UTF-16 code units: cheap, stable, and spreads similar names apart. */
export function bucketOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) % BUCKETS;
}

/** The shard key and unique index: upserts find their one document through it, GET reads an hour from it. */
export const flowKeyFields = { bucket: 1, hour: 1, src_app: 1, dest_app: 1, vpc_id: 1 } as const;

export const flowKeyIndex: IndexDescription = {
  key: flowKeyFields,
  name: 'bucket_hour_src_dest_vpc_unique',
  unique: true,
};

/** One statement of an update command: adds a batch's totals to one key's document, created on first sight. */
export interface IncrementStatement {
  q: FlowKey & { bucket: number };
  u: { $inc: { bytes_tx: bigint; bytes_rx: bigint } };
  upsert: true;
}

/** Adds a batch's totals for one key, creating the document on first sight. */
export function incrementTotals(key: FlowKey, bucket: number, bytesTx: bigint | number, bytesRx: bigint | number): IncrementStatement {
  return {
    // Spelled out field by field so the filter can only ever be an equality on the key.
    q: { bucket, hour: key.hour, src_app: key.src_app, dest_app: key.dest_app, vpc_id: key.vpc_id },
    // Always Int64 (BSON's encoding of a bigint), so the stored type never depends on the size of the first
    // increment. A bigint rather than a Long: cheaper to make and to encode (scripts/bench/driver-cost.cjs).
    u: { $inc: { bytes_tx: BigInt(bytesTx), bytes_rx: BigInt(bytesRx) } },
    upsert: true,
  };
}

/**
 * An upper bound of the statement's BSON size in a command's array of statements: at most 149 bytes of field
 * names, types, lengths and its index, plus the names in UTF-8, at most 3 bytes per UTF-16 code unit.
 */
export function incrementMaxBytes({ q }: IncrementStatement): number {
  return 160 + 3 * (q.src_app.length + q.dest_app.length + q.vpc_id.length);
}

/** Rows of one hour, in the documented order: src_app, then dest_app, then vpc_id. */
export function hourTotalsQuery(hour: number): { filter: Document; projection: Document; sort: Sort } {
  return {
    // Equality on every bucket and the hour lets MongoDB merge the buckets' index ranges in key order.
    filter: { bucket: { $in: ALL_BUCKETS }, hour },
    projection: { _id: 0, src_app: 1, dest_app: 1, vpc_id: 1, hour: 1, bytes_tx: 1, bytes_rx: 1 },
    sort: { src_app: 1, dest_app: 1, vpc_id: 1 },
  };
}

/** The documents of hours before `hour`, which the retention sweep deletes: one index range per bucket. */
export function expiredFlowsQuery(hour: number): { filter: Document; projection: Document } {
  return { filter: { bucket: { $in: ALL_BUCKETS }, hour: { $lt: hour } }, projection: { _id: 1 } };
}
