import { Collection, Document } from 'mongodb';
import { TOTAL_ROLLUP } from '../query/rollups';
import { TotalsCollection } from '../storage/flowCollections';
import { withinQueryTimeout } from './queryTimeout';

/** The hour of the document with the latest hour at or before `until` that matches, read from the index. */
async function latestIn(collection: Collection<Document>, filter: Document, until: number, timeoutMs: number) {
  const cursor = collection.find(
    { ...filter, hour: { $lte: until } },
    { projection: { _id: 0, hour: 1 }, sort: { hour: -1 }, limit: 1, maxTimeMS: timeoutMs },
  );
  const [doc] = await withinQueryTimeout(cursor.toArray(), timeoutMs);
  return doc?.hour as number | undefined;
}

/**
 * The latest hour at or before `until` that holds data. The total roll-up has one document an hour, so where
 * the roll-ups cover that hour one key of their index answers; where the answer lies before the hours they
 * cover, one key of the key documents' read index does (docs/reads.md).
 */
export async function latestHour(
  { keys, rollups }: Record<TotalsCollection, Collection<Document>>,
  coveredFrom: number | undefined,
  until: number,
  timeoutMs: number,
): Promise<number | undefined> {
  if (coveredFrom !== undefined && coveredFrom <= until) {
    const hour = await latestIn(rollups, { rollup: TOTAL_ROLLUP.name, hours: 1 }, until, timeoutMs);
    if (hour !== undefined && hour >= coveredFrom) return hour;
  }
  return latestIn(keys, {}, until, timeoutMs);
}
