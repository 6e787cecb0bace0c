import { Readable } from 'node:stream';
import { Collection, Document, FindCursor } from 'mongodb';
import { DIMENSIONS } from '../api/constants';
import { FlowTotalsDocument } from '../query/flows';
import { withinQueryTimeout } from './queryTimeout';
import { rowWriter } from './rowJson';

const CHUNK_CHARS = 64 * 1024;
const rowJson = rowWriter(DIMENSIONS);
/**
 * Rows per reply. Without it every reply after MongoDB's first 101 rows holds up to 16 MiB, deserialized at
 * once: the whole of a 50,000-key hour in one (docs/benchmarks.md).
 */
const READ_BATCH_SIZE = 1000;

/** Rows of one hour, in the documented order: src_app, then dest_app, then vpc_id. */
export function hourTotalsQuery(hour: number): { filter: Document; projection: Document; sort: Document } {
  return {
    filter: { hour },
    projection: { _id: 0, src_app: 1, dest_app: 1, vpc_id: 1, hour: 1, bytes_tx: 1, bytes_rx: 1 },
    sort: { src_app: 1, dest_app: 1, vpc_id: 1 },
  };
}

async function* jsonArrayChunks(
  first: FlowTotalsDocument | null,
  cursor: FindCursor<FlowTotalsDocument>,
): AsyncGenerator<string> {
  try {
    if (first === null) {
      yield '[]';
      return;
    }
    let chunk = `[${rowJson(first)}`;
    // A reply's rows at once, rather than an await for every row as for-await would.
    while (await cursor.hasNext()) {
      for (const doc of cursor.readBufferedDocuments()) {
        chunk += `,${rowJson(doc)}`;
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
    }
    yield `${chunk}]`;
  } finally {
    await cursor.close();
  }
}

/**
 * Every key of the hour as a streamed JSON array, in key order, in bounded chunks rather than one giant
 * string, with Int64 totals as bigint so none passes through a double. The first row is read before anything
 * is sent, so a MongoDB failure at the start can still be answered with a status code.
 */
export async function hourTotalsJson(
  collection: Collection<FlowTotalsDocument>,
  hour: number,
  timeoutMs: number,
): Promise<Readable> {
  const { filter, projection, sort } = hourTotalsQuery(hour);
  const cursor = collection.find(filter, {
    projection,
    sort,
    useBigInt64: true,
    maxTimeMS: timeoutMs,
    batchSize: READ_BATCH_SIZE,
  }) as FindCursor<FlowTotalsDocument>;
  let first: FlowTotalsDocument | null;
  try {
    first = await withinQueryTimeout(cursor.next(), timeoutMs);
  } catch (err) {
    // Not awaited: on a stalled connection closing would wait as long as the read did.
    cursor.close().catch(() => {});
    throw err;
  }
  return Readable.from(jsonArrayChunks(first, cursor), { objectMode: false });
}
