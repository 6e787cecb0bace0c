import { randomUUID } from 'node:crypto';
import { Collection } from 'mongodb';
import { JournalChunk, JournalColumns } from '../query/exactlyOnce';
import { flowKeyId } from '../query/flows';
import { FlushContent, KeyedPart } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';

/** Rows of a chunk at most: far under MongoDB's 16 MiB a document, whatever the names (256 characters each). */
const ROWS_PER_CHUNK = 4_000;

/** Keys' totals as columns, from `from` to `to` in the totals' order. */
function columnsOf(totals: FlowTotals, from = 0, to = totals.byKey.size): JournalColumns {
  const columns: JournalColumns = { hour: [], src_app: [], dest_app: [], vpc_id: [], bytes_tx: [], bytes_rx: [] };
  let i = 0;
  for (const { key, bytesTx, bytesRx } of totals.byKey.values()) {
    if (i >= to) break;
    if (i++ < from) continue;
    columns.hour.push(key.hour);
    columns.src_app.push(key.src_app);
    columns.dest_app.push(key.dest_app);
    columns.vpc_id.push(key.vpc_id);
    columns.bytes_tx.push(BigInt(bytesTx));
    columns.bytes_rx.push(BigInt(bytesRx));
  }
  return columns;
}

function totalsOf(columns: JournalColumns, records: number, into = new FlowTotals()): FlowTotals {
  columns.hour.forEach((hour, i) => {
    const key = { hour, src_app: columns.src_app[i], dest_app: columns.dest_app[i], vpc_id: columns.vpc_id[i] };
    into.addKey(flowKeyId(key), key, columns.bytes_tx[i], columns.bytes_rx[i]);
  });
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
    const { unkeyed } = content;
    // The records without a key, ROWS_PER_CHUNK keys a chunk (the first chunk holds their count)…
    for (let from = 0; from === 0 || from < unkeyed.byKey.size; from += ROWS_PER_CHUNK) {
      const rows = columnsOf(unkeyed, from, from + ROWS_PER_CHUNK);
      chunks.push({ journal: id, at, unkeyed: { records: from === 0 ? unkeyed.records : 0, rows }, parts: [] });
    }
    // …then the parts, each whole in one chunk (a request holds at most MAX_RECORDS_PER_BATCH keys).
    let current = chunks[chunks.length - 1];
    let rows = current.unkeyed.rows.hour.length;
    for (const { claim, totals } of content.parts) {
      if (rows >= ROWS_PER_CHUNK) {
        current = { journal: id, at, unkeyed: { records: 0, rows: columnsOf(new FlowTotals()) }, parts: [] };
        chunks.push(current);
        rows = 0;
      }
      current.parts.push({ claim, records: totals.records, rows: columnsOf(totals) });
      rows += totals.byKey.size;
    }
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
