import { Document, ObjectId } from 'mongodb';
import { FlowKey, flowKeyId } from './flows';

/**
 * FAS 0.1 kept each key in a document with a generated ObjectId `_id` and a `bucket` (a 0–15 hash of the key)
 * leading a unique index over the key. Its presence means documents of that shape may remain.
 */
export const LEGACY_KEY_INDEX = 'bucket_hour_src_dest_vpc_unique';

/** A document of FAS 0.1's shape. */
export interface LegacyFlowDocument extends FlowKey {
  _id: ObjectId;
  bucket: number;
  bytes_tx: bigint;
  bytes_rx: bigint;
}

/** Documents of FAS 0.1's shape, through its own index while it exists. */
export const legacyFlowsFilter: Document = { bucket: { $in: Array.from({ length: 16 }, (_, i) => i) } };

/**
 * Adds an old document's totals to its key's document once: the old document's id is recorded in the key's
 * document in the same atomic update, and the update applies only where it is not recorded yet. Run twice,
 * or by two processes at once, it adds nothing the second time: the guard does not match, the upsert then
 * finds the _id taken, and the statement fails with a duplicate key error that means "already merged".
 */
export function mergeLegacyStatement(doc: LegacyFlowDocument): Document {
  const key = { hour: doc.hour, src_app: doc.src_app, dest_app: doc.dest_app, vpc_id: doc.vpc_id };
  return {
    q: { _id: flowKeyId(key), merged_from: { $ne: doc._id } },
    u: {
      $inc: { bytes_tx: doc.bytes_tx, bytes_rx: doc.bytes_rx },
      $setOnInsert: key,
      $push: { merged_from: doc._id },
    },
    upsert: true,
  };
}
