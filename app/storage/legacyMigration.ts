import { Collection, Document, MongoClient } from 'mongodb';
import { LEGACY_KEY_INDEX, LegacyFlowDocument, legacyFlowsFilter, mergeLegacyStatement } from '../query/legacyFlows';
import { DUPLICATE_KEY, updateStatements } from './updateCommand';

const INDEX_NOT_FOUND = 27;
/** Old documents moved per round: one update and one delete command each. */
const ROUND = 1000;

export interface MigrationProgress {
  /** Old documents merged into their key's document and deleted, so far. */
  moved: number;
}

/** Whether documents of FAS 0.1's shape may remain: its index goes only once they are all moved. */
export async function hasLegacyDocuments<S extends Document>(collection: Collection<S>): Promise<boolean> {
  const indexes = await collection.listIndexes().toArray().catch(() => []);
  return indexes.some((index) => index.name === LEGACY_KEY_INDEX);
}

/** An upper bound of a merge statement's BSON size: the names twice, the ids, the field names. */
function mergeMaxBytes(statement: Document): number {
  const { src_app, dest_app, vpc_id } = statement.u.$setOnInsert as LegacyFlowDocument;
  return 320 + 6 * (src_app.length + dest_app.length + vpc_id.length);
}

/**
 * Moves every document of FAS 0.1's shape into the document of its key, 1,000 at a time: each old document's
 * totals are added to its key's document once (mergeLegacyStatement), then it is deleted; when none remain,
 * the old index is dropped. Resumable and idempotent, safe while records arrive and with several runs at
 * once; a key's old totals are counted twice by reads only between its merge and its delete.
 */
export async function migrateLegacyDocuments(
  client: MongoClient,
  collection: Collection<Document>,
  onProgress: (progress: MigrationProgress) => void = () => {},
): Promise<MigrationProgress> {
  const progress: MigrationProgress = { moved: 0 };
  if (!(await hasLegacyDocuments(collection))) return progress;
  for (;;) {
    const batch = (await collection
      .find(legacyFlowsFilter, { limit: ROUND, useBigInt64: true })
      .toArray()) as LegacyFlowDocument[];
    if (batch.length === 0) break;
    const statements = batch.map(mergeLegacyStatement);
    const refused = await updateStatements(client, collection, statements, mergeMaxBytes);
    const failure = refused.find((e) => e.code !== DUPLICATE_KEY);
    if (failure) throw new Error(`merging an old document failed: ${failure.errmsg}`);
    await collection.deleteMany({ _id: { $in: batch.map((d) => d._id) } });
    progress.moved += batch.length;
    onProgress(progress);
  }
  // Another run may have dropped it first.
  await collection.dropIndex(LEGACY_KEY_INDEX).catch((err: { code?: number }) => {
    if (err.code !== INDEX_NOT_FOUND) throw err;
  });
  return progress;
}
