import { randomUUID } from 'node:crypto';
import { Collection } from 'mongodb';
import { JournalChunk, JournalRow } from '../query/exactlyOnce';
import { flowKeyId } from '../query/flows';
import { FlushContent, KeyedPart } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';

/** Rows of a chunk at most: far under MongoDB's 16 MiB a document, whatever the names (256 characters each). */
const ROWS_PER_CHUNK = 4_000;

function rowsOf(totals: FlowTotals): JournalRow[] {
  const rows: JournalRow[] = [];
  totals.byKey.forEach(({ key, bytesTx, bytesRx }) =>
    rows.push({ hour: key.hour, src_app: key.src_app, dest_app: key.dest_app, vpc_id: key.vpc_id, bytes_tx: BigInt(bytesTx), bytes_rx: BigInt(bytesRx) }),
  );
  return rows;
}

function totalsOf(rows: readonly JournalRow[], records: number, into = new FlowTotals()): FlowTotals {
  for (const { bytes_tx, bytes_rx, ...key } of rows) into.addKey(flowKeyId(key), key, bytes_tx, bytes_rx);
  into.records += records;
  return into;
}

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
    const chunks: Omit<JournalChunk, 'chunks' | '_id' | 'chunk'>[] = [];
    let current: (typeof chunks)[number] = { journal: id, at, unkeyed: { records: content.unkeyed.records, rows: [] }, parts: [] };
    let rows = 0;
    const room = () => {
      if (rows < ROWS_PER_CHUNK) return;
      chunks.push(current);
      current = { journal: id, at, unkeyed: { records: 0, rows: [] }, parts: [] };
      rows = 0;
    };
    for (const row of rowsOf(content.unkeyed)) {
      room();
      current.unkeyed.rows.push(row);
      rows++;
    }
    for (const { claim, totals } of content.parts) {
      room();
      // A part is never split over chunks: a request holds at most MAX_RECORDS_PER_BATCH keys.
      const partRows = rowsOf(totals);
      current.parts.push({ claim, records: totals.records, rows: partRows });
      rows += partRows.length;
    }
    chunks.push(current);
    await this.journal.insertMany(chunks.map((c, chunk) => ({ ...c, _id: `${id}:${chunk}`, chunk, chunks: chunks.length })));
    return id;
  }

  /** A flush's content as written. */
  async read(id: string): Promise<FlushContent> {
    const chunks = await this.journal.find({ journal: id }, { useBigInt64: true }).toArray();
    if (chunks.length === 0 || chunks.length !== chunks[0].chunks) throw new Error(`flush journal ${id} is incomplete`);
    chunks.sort((a, b) => a.chunk - b.chunk);
    const unkeyed = new FlowTotals();
    const parts: KeyedPart[] = [];
    for (const chunk of chunks) {
      totalsOf(chunk.unkeyed.rows, chunk.unkeyed.records, unkeyed);
      for (const part of chunk.parts) parts.push({ claim: part.claim, totals: totalsOf(part.rows, part.records) });
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
