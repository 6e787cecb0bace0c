import { randomUUID } from 'node:crypto';
import { Collection } from 'mongodb';
import { JournalChunk } from '../query/exactlyOnce';
import { FlushContent, KeyedPart } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';
import { decodeRows, encodeRows, JournalNames } from './journalRows';

/** Rows of a chunk at most: far under MongoDB's 16 MiB a document, whatever the names (256 characters each). */
const ROWS_PER_CHUNK = 4_000;

/**
 * The flush journal: a flush's content, written before the flush begins, so that the member that takes over
 * a slot can finish the flush its holder left in flight. Chunked under MongoDB's document size limit.
 */
export class FlushJournal {
  constructor(
    private readonly journal: Collection<JournalChunk>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes a flush's content; resolves with its journal id once every chunk is acknowledged. */
  async write(content: FlushContent): Promise<string> {
    const id = randomUUID();
    const at = new Date(this.now());
    type Chunk = Omit<JournalChunk, 'chunks' | '_id' | 'chunk'>;
    const chunks: Chunk[] = [];
    /** A new chunk, its names, and how many rows it holds so far. */
    const open = (records: number) => {
      const names = new JournalNames();
      const chunk: Chunk = { journal: id, at, names: names.list, unkeyed: { records, rows: new Uint8Array() }, parts: [] };
      chunks.push(chunk);
      return { chunk, names, rows: 0 };
    };
    const { unkeyed } = content;
    let current = open(unkeyed.records);
    // The records without a key, ROWS_PER_CHUNK keys a chunk (the first chunk holds their count)…
    for (let from = 0; from < unkeyed.byKey.size; from += ROWS_PER_CHUNK) {
      if (from > 0) current = open(0);
      current.chunk.unkeyed.rows = encodeRows(unkeyed, current.names, from, from + ROWS_PER_CHUNK);
      current.rows = Math.min(ROWS_PER_CHUNK, unkeyed.byKey.size - from);
    }
    // …then the parts, each whole in one chunk (a request holds at most MAX_RECORDS_PER_BATCH keys).
    for (const { claim, totals } of content.parts) {
      if (current.rows >= ROWS_PER_CHUNK) current = open(0);
      current.chunk.parts.push({ claim, records: totals.records, rows: encodeRows(totals, current.names) });
      current.rows += totals.byKey.size;
    }
    await this.journal.insertMany(chunks.map((c, chunk) => ({ ...c, _id: `${id}:${chunk}`, chunk, chunks: chunks.length })));
    return id;
  }

  /** A flush's content as written. */
  async read(id: string): Promise<FlushContent> {
    const chunks = await this.journal.find({ journal: id }, { promoteBuffers: true }).toArray();
    if (chunks.length === 0 || chunks.length !== chunks[0].chunks) throw new Error(`flush journal ${id} is incomplete`);
    chunks.sort((a, b) => a.chunk - b.chunk);
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

  /** Deletes a completed flush's journal. */
  async delete(id: string): Promise<void> {
    await this.journal.deleteMany({ journal: id });
  }

  /** Deletes the journals written before `before`, but those named: flushes that never began. */
  async deleteOrphans(before: Date, inFlight: readonly string[]): Promise<void> {
    await this.journal.deleteMany({ at: { $lt: before }, journal: { $nin: [...inFlight] } });
  }
}
