import { Readable } from 'node:stream';
import { FindCursor } from 'mongodb';
import { FlowTotalsDocument } from '../query/flows';
import { DIMENSIONS } from '../query/totals';
import { withinQueryTimeout } from './queryTimeout';
import { rowWriter } from './rowJson';

const CHUNK_CHARS = 64 * 1024;
const rowJson = rowWriter(DIMENSIONS);

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
export async function hourTotalsJson(cursor: FindCursor<FlowTotalsDocument>, timeoutMs: number): Promise<Readable> {
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
