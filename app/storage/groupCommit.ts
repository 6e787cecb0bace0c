import { FlowRecord } from '../data/flow';
import { FlushContent, FlushWritten, KeyedPart, PartOutcome } from './flushContent';
import { FlowTotals } from './flowTotals';
import { Settlement, settlement } from './settlement';

/** How long callers a flush answered take at most to come back with their next records (docs/benchmarks.md). */
const REJOIN_MS = 20;

/** The pending cap would be exceeded: the caller should retry later. */
export class OverloadedError extends Error {}
/** The store is draining for shutdown and takes no new records. */
export class StoreClosedError extends Error {}
/** The flush holding the caller's records was not acknowledged; they may or may not have been applied. */
export class FlushFailedError extends Error {}
/** The caller's records were not acknowledged within the flush timeout. */
export class FlushTimeoutError extends FlushFailedError {}

export interface GroupCommitOptions {
  /**
   * How long the first record of a batch waits for company before the batch is flushed; also how long the
   * next batch waits after a flush settles, for the callers that flush answered.
   */
  windowMs: number;
  /** A batch holding this many records is flushed at once. */
  maxRecords: number;
  /** Records accepted but not yet acknowledged, across all batches; beyond it add() refuses. */
  pendingMaxRecords: number;
  /**
   * Longest a batch waits, from its first record, to be acknowledged. Past it its callers are refused; a
   * batch whose write had not started is dropped, one whose write is in flight may still be applied.
   */
  timeoutMs: number;
}

export interface FlushReport {
  records: number;
  /** Distinct keys written; for a failed flush, at most this many. */
  keys: number;
  /** Parts of requests with an idempotency key (docs/exactly-once.md). */
  parts: number;
  /** Upserts sent, when the write says: one per key, and one per roll-up document. */
  upserts?: number;
  /** What became of each keyed part, when the write succeeded. */
  outcomes?: PartOutcome[];
  durationMs: number;
  error?: unknown;
}

interface Batch extends Settlement {
  unkeyed: FlowTotals;
  /** Each keyed part, with what its caller waits on. */
  parts: (Settlement<PartOutcome> & { part: KeyedPart })[];
  records: number;
  keys: number;
  /** When its first records arrived (performance.now()). */
  opened: number;
  due: boolean;
  timer?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
}

function newBatch(): Batch {
  return { ...settlement(), unkeyed: new FlowTotals(), parts: [], records: 0, keys: 0, opened: performance.now(), due: false };
}

/**
 * Group commit: records from concurrent requests are summed into one batch and written together, one flush
 * at a time, oldest batch first. Every caller is answered when the flush holding its records settles.
 */
export class GroupCommit {
  private readonly batches: Batch[] = [];
  private flushing = false;
  private pending = 0;
  private closed = false;

  constructor(
    private readonly write: (content: FlushContent) => Promise<FlushWritten | void>,
    private readonly options: GroupCommitOptions,
    private readonly onFlush: (report: FlushReport) => void = () => {},
  ) {}

  /** Records accepted and not yet acknowledged. */
  get pendingRecords(): number {
    return this.pending;
  }

  /** Resolves once the records are durably written; all of them land in the same flush. */
  add(records: readonly FlowRecord[]): Promise<void> {
    return this.enqueue(records.length, (batch) => {
      batch.unkeyed.add(records);
      return batch.done;
    });
  }

  /** As add, for records already summed by key (forwarded by another member). */
  addTotals(part: FlowTotals): Promise<void> {
    return this.enqueue(part.records, (batch) => {
      batch.unkeyed.merge(part);
      return batch.done;
    });
  }

  /** A request's part with an idempotency key: resolves with what became of it in the flush that holds it. */
  addPart(part: KeyedPart): Promise<PartOutcome> {
    return this.enqueue(part.totals.records, (batch) => {
      const keyed = { ...settlement<PartOutcome>(), part };
      batch.parts.push(keyed);
      batch.keys += part.totals.byKey.size;
      return keyed.done;
    });
  }

  private enqueue<T>(records: number, addTo: (batch: Batch) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreClosedError('shutting down');
    if (this.pending + records > this.options.pendingMaxRecords) {
      throw new OverloadedError(`more than ${this.options.pendingMaxRecords} records are waiting to be written`);
    }
    // Only add() and addTotals() may come empty: a keyed part always holds records.
    if (records === 0) return Promise.resolve() as Promise<T>;

    // Queued batches are never in flight, so the newest one takes records until it is full, even once its
    // window has passed: whatever arrives while a flush is in flight goes out in the very next flush.
    let batch = this.batches[this.batches.length - 1];
    if (!batch || batch.records >= this.options.maxRecords) {
      batch = newBatch();
      this.batches.push(batch);
      const open = batch;
      open.timer = setTimeout(() => this.markDue(open), this.options.windowMs);
      open.deadline = setTimeout(() => this.expire(open), this.options.timeoutMs);
    }
    const done = addTo(batch);
    batch.records += records;
    this.pending += records;
    if (batch.records >= this.options.maxRecords) this.markDue(batch);
    return done;
  }

  /** Flushes everything pending, refuses new records, and resolves when every flush has settled. */
  async drain(): Promise<void> {
    this.closed = true;
    const waiting = this.batches.map((b) => b.done);
    for (const batch of this.batches) this.markDue(batch);
    await Promise.allSettled(waiting);
  }

  /**
   * A stalled MongoDB must not hold requests, nor let batches pile up behind the stalled flush: a batch still
   * queued is dropped (nothing of it was sent), one in flight is answered now and its write left to settle.
   */
  private expire(batch: Batch): void {
    clearTimeout(batch.timer);
    const queued = this.batches.indexOf(batch);
    if (queued >= 0) {
      this.batches.splice(queued, 1);
      this.pending -= batch.records;
      settle(batch, new FlushTimeoutError('the records were not written in time; none of them was sent'));
    } else {
      settle(batch, new FlushTimeoutError('MongoDB did not acknowledge the write in time'));
    }
    this.flushNext();
  }

  private markDue(batch: Batch): void {
    clearTimeout(batch.timer);
    batch.due = true;
    this.flushNext();
  }

  private flushNext(): void {
    const batch = this.batches[0];
    if (this.flushing || !batch?.due) return;
    this.batches.shift();
    this.flushing = true;
    const started = performance.now();
    const report = () => ({
      records: batch.records,
      keys: batch.unkeyed.byKey.size + batch.keys,
      parts: batch.parts.length,
      durationMs: performance.now() - started,
    });
    this.write({ unkeyed: batch.unkeyed, parts: batch.parts.map((p) => p.part) })
      .then(
        (written) => {
          this.onFlush({ ...report(), ...(written && { upserts: written.upserts, keys: written.keys, outcomes: written.outcomes }) });
          settle(batch, undefined, written?.outcomes);
        },
        (error: unknown) => {
          this.onFlush({ ...report(), error });
          settle(batch, new FlushFailedError('the write to MongoDB failed', { cause: error }));
        },
      )
      .finally(() => {
        clearTimeout(batch.deadline);
        this.pending -= batch.records;
        this.flushing = false;
        this.reopenWindow();
        this.flushNext();
      });
  }

  /**
   * The callers just answered come straight back with their next records, spread over a few milliseconds.
   * The queued batch waits for them, a window but at most REJOIN_MS, instead of leaving without them:
   * otherwise the clients settle into cohorts that alternate flushes for good, each flush carrying a fraction
   * of them. It never leaves before its own window from its first records has passed, and a long window is
   * not started over, so no record waits two windows.
   */
  private reopenWindow(): void {
    const next = this.batches[0];
    if (!next || this.closed || next.records >= this.options.maxRecords) return;
    clearTimeout(next.timer);
    next.due = false;
    const now = performance.now();
    const due = Math.max(next.opened + this.options.windowMs, now + Math.min(this.options.windowMs, REJOIN_MS));
    next.timer = setTimeout(() => this.markDue(next), due - now);
  }
}

/** Answers a batch's callers: each keyed part with its outcome, or all of them with the error. */
function settle(batch: Batch, error?: Error, outcomes: readonly PartOutcome[] = []): void {
  if (error) {
    batch.reject(error);
    batch.parts.forEach((p) => p.reject(error));
    return;
  }
  batch.resolve();
  batch.parts.forEach((p, i) => {
    const outcome = outcomes[i];
    if (outcome) p.resolve(outcome);
    else p.reject(new FlushFailedError('the flush did not say what became of a part'));
  });
}
