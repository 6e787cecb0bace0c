import { Readable } from 'node:stream';
import { FindCursor } from 'mongodb';
import { FlowTotalsDocument } from '../query/flows';

const CHUNK_CHARS = 64 * 1024;

// Int64 totals arrive as bigint; String() prints them digit-exact where JSON.stringify would throw.
function rowJson(doc: FlowTotalsDocument): string {
  return (
    `{"src_app":${JSON.stringify(doc.src_app)},"dest_app":${JSON.stringify(doc.dest_app)},` +
    `"vpc_id":${JSON.stringify(doc.vpc_id)},"hour":${doc.hour},` +
    `"bytes_tx":${String(doc.bytes_tx)},"bytes_rx":${String(doc.bytes_rx)}}`
  );
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
    for await (const doc of cursor) {
      chunk += `,${rowJson(doc)}`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}]`;
  } finally {
    await cursor.close();
  }
}

/** MongoDB did not deliver the first rows of a read within the query timeout. */
export class QueryTimeoutError extends Error {}

/**
 * The first row, or a QueryTimeoutError once timeoutMs has passed. The driver's own bounds (maxTimeMS, the
 * socket timeout, one retry of the read) add up to more than the configured timeout, so it is enforced here.
 */
async function firstRow(cursor: FindCursor<FlowTotalsDocument>, timeoutMs: number): Promise<FlowTotalsDocument | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeoutError(`no answer from MongoDB within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([cursor.next(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The hour's rows as a streamed JSON array, in bounded chunks rather than one giant string. The first row is
 * read before anything is sent, so a MongoDB failure at the start can still be answered with a status code.
 */
export async function hourTotalsJson(cursor: FindCursor<FlowTotalsDocument>, timeoutMs: number): Promise<Readable> {
  let first: FlowTotalsDocument | null;
  try {
    first = await firstRow(cursor, timeoutMs);
  } catch (err) {
    // Not awaited: on a stalled connection closing would wait as long as the read did.
    cursor.close().catch(() => {});
    throw err;
  }
  return Readable.from(jsonArrayChunks(first, cursor), { objectMode: false });
}
