import { Document, Double, IndexDescription, Long } from 'mongodb';

/**
 * A key's document: one per (hour, src_app, dest_app, vpc_id), its byte counts summed as Int64. Its `_id` is
 * the key itself (flowKeyId), so every upsert finds its document through the _id index alone.
 */
export interface FlowTotalsDocument {
  _id: string;
  hour: number;
  src_app: string;
  dest_app: string;
  vpc_id: string;
  bytes_tx: Long | bigint | number | Double;
  bytes_rx: Long | bigint | number | Double;
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

/**
 * One statement of an update command: adds a flush's totals to one document, created on first sight with
 * its key. Every statement a flush sends, to the key documents or to a roll-up, has this form.
 */
export interface IncrementStatement<K extends Document = FlowKey> {
  q: { _id: string };
  u: {
    // A Double only for a total past 2^63 - 1 (FlowStore): every read then refuses it with sum_overflow.
    $inc: { bytes_tx: bigint | Double; bytes_rx: bigint | Double };
    $setOnInsert: K;
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
 * An upper bound of the statement's BSON size in a command's array of statements: at most 200 bytes of field
 * names, types, lengths, numbers, its index and separators, plus the strings (the _id, the names) in UTF-8, at
 * most 3 bytes per UTF-16 code unit.
 */
export function incrementMaxBytes({ q, u }: IncrementStatement<Document>): number {
  let units = q._id.length;
  for (const value of Object.values(u.$setOnInsert)) if (typeof value === 'string') units += value.length;
  return 200 + 3 * units;
}

/** The documents of hours before `hour`, which the retention sweep deletes: one range of each read index. */
export function expiredFlowsQuery(hour: number): { filter: Document; projection: Document } {
  return { filter: { hour: { $lt: hour } }, projection: { _id: 1 } };
}
