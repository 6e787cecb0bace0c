import { randomUUID } from 'node:crypto';
import { Collection } from 'mongodb';
import { JournalChunk, JournalContent } from '../query/exactlyOnce';
import { FlushContent, KeyedPart } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';
import { decodeRows, encodeRows, JournalNames } from './journalRows';

/** Rows of a chunk at most: far under MongoDB's 16 MiB a document, whatever the names (256 characters each). */
const ROWS_PER_CHUNK = 4_000;

/**
 * A flush's journal: its id, and its content when it is one chunk, which its writer slot's document carries
 * (no write of its own); otherwise its chunks are in the journal collection.
 */
export interface Journal {
  id: string;
  inline: JournalContent | null;
}

/**
 * The flush journal: a flush's content, written before the flush begins (or with its beginning), so that the
 * member that takes over a slot can finish the flush its holder left in flight. Chunked under MongoDB's
 * document size limit.
 */
export class FlushJournal {
  constructor(
    private readonly journal: Collection<JournalChunk>,
    private readonly now: () => number = Date.now,
    private readonly rowsPerChunk = ROWS_PER_CHUNK,
  ) {}

  /**
   * Encodes a flush's content; one chunk is returned for its slot to carry, more are written to the journal
   * collection: resolves once every chunk is acknowledged.
   */
  async write(content: FlushContent): Promise<Journal> {
    const id = randomUUID();
    const chunks: JournalContent[] = [];
    /** A new chunk, its names, and how many rows it holds so far. */
    const open = (records: number) => {
      const names = new JournalNames();
      const chunk: JournalContent = { names: names.list, unkeyed: { records, rows: new Uint8Array() }, parts: [] };
      chunks.push(chunk);
      return { chunk, names, rows: 0 };
    };
    const { unkeyed } = content;
    const perChunk = this.rowsPerChunk;
    let current = open(unkeyed.records);
    // The records without a key, perChunk keys a chunk (the first chunk holds their count)…
    for (let from = 0; from < unkeyed.byKey.size; from += perChunk) {
      if (from > 0) current = open(0);
      current.chunk.unkeyed.rows = encodeRows(unkeyed, current.names, from, from + perChunk);
      current.rows = Math.min(perChunk, unkeyed.byKey.size - from);
    }
    // …then the parts, each whole in one chunk (a request holds at most MAX_RECORDS_PER_BATCH keys).
    for (const { claim, totals } of content.parts) {
      if (current.rows >= perChunk) current = open(0);
      current.chunk.parts.push({ claim, records: totals.records, rows: encodeRows(totals, current.names) });
      current.rows += totals.byKey.size;
    }
    if (chunks.length === 1) return { id, inline: chunks[0] };
    const at = new Date(this.now());
    await this.journal.insertMany(chunks.map((c, chunk) => ({ ...c, _id: `${id}:${chunk}`, journal: id, chunk, chunks: chunks.length, at })));
    return { id, inline: null };
  }

  /** A flush's content as written. */
  async read({ id, inline }: Journal): Promise<FlushContent> {
    const chunks = inline ? [inline] : await this.chunks(id);
    const unkeyed = new FlowTotals();
    const parts: KeyedPart[] = [];
    for (const { names, unkeyed: records, parts: chunkParts } of chunks) {
      decodeRows(records.rows, names, unkeyed);
      unkeyed.records += records.records;
      for (const part of chunkParts) {
        const totals = new FlowTotals();
        decodeRows(part.rows, names, totals);
        totals.records = part.records;
        parts.push({ claim: part.claim, totals });
      }
    }
    return { unkeyed, parts };
  }

  private async chunks(id: string): Promise<JournalChunk[]> {
    const chunks = await this.journal.find({ journal: id }, { promoteBuffers: true }).toArray();
    if (chunks.length === 0 || chunks.length !== chunks[0].chunks) throw new Error(`flush journal ${id} is incomplete`);
    return chunks.sort((a, b) => a.chunk - b.chunk);
  }

  /** Deletes a completed flush's journal: its chunks in the journal collection, if it has any. */
  async delete({ id, inline }: Journal): Promise<void> {
    if (!inline) await this.journal.deleteMany({ journal: id });
  }

  /** Deletes the journals written before `before`, but those named: flushes that never began. */
  async deleteOrphans(before: Date, inFlight: readonly string[]): Promise<void> {
    await this.journal.deleteMany({ at: { $lt: before }, journal: { $nin: [...inFlight] } });
  }
}
