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

/**
 * The hour's rows as a streamed JSON array, in bounded chunks rather than one giant string. The first row is
 * read before anything is sent, so a MongoDB failure at the start can still be answered with a status code.
 */
export async function hourTotalsJson(cursor: FindCursor<FlowTotalsDocument>): Promise<Readable> {
  let first: FlowTotalsDocument | null;
  try {
    first = await cursor.next();
  } catch (err) {
    await cursor.close().catch(() => {});
    throw err;
  }
  return Readable.from(jsonArrayChunks(first, cursor), { objectMode: false });
}
