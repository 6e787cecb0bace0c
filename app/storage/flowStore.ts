import { Collection, Document, MongoClient, MongoServerError } from 'mongodb';
import { FlowRecord } from '../data/flow';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlushId, guard, GUARD_MAX_BYTES } from '../query/exactlyOnce';
import { IncrementStatement, incrementMaxBytes } from '../query/flows';
import { FlowCollections } from './flowCollections';
import { FlowTotals } from './flowTotals';
import { FlushContent, FlushWritten, GuardedApply, KeyedPart, KeyedWriter, PartOutcome } from './flushContent';
import { flushStatements } from './flushStatements';
import { FlushReport, GroupCommit, GroupCommitOptions } from './groupCommit';
import { retry } from './statementRetry';
import { DUPLICATE_KEY, updateStatements } from './updateCommand';

/** A duplicate key, then at most three ways of storing a total past 2^63 - 1. */
const MAX_RETRIES = 4;

type Statement = IncrementStatement<Document>;

/** How often a part held by a flush in flight asks whether that flush has completed. */
const PENDING_POLL_MS = 100;

/**
 * Hourly flow totals in MongoDB: records are summed into key documents and roll-ups through group commit.
 * A flush that holds parts of requests with an idempotency key is written by the keyed writer, which applies
 * each part at most once (docs/exactly-once.md); any other flush, as it always was.
 */
export class FlowStore {
  private readonly commits: GroupCommit;
  private readonly keyed: KeyedWriter;

  constructor(
    private readonly client: MongoClient,
    private readonly collections: FlowCollections,
    private readonly options: GroupCommitOptions,
    onFlush: (report: FlushReport) => void,
    /** Makes the keyed writer, given how this store applies a flush's totals guarded by the flush. */
    keyedWriter: (apply: GuardedApply) => KeyedWriter,
  ) {
    this.commits = new GroupCommit((content) => this.write(content), options, onFlush);
    this.keyed = keyedWriter((totals, flush) => this.apply(totals, flush));
  }

  get pendingRecords(): number {
    return this.commits.pendingRecords;
  }

  /** Resolves when the records are acknowledged by MongoDB with the configured write concern. */
  ingest(records: readonly FlowRecord[]): Promise<void> {
    return this.commits.add(records);
  }

  /** As ingest, for records already summed by key. */
  ingestTotals(part: FlowTotals): Promise<void> {
    return this.commits.addTotals(part);
  }

  /**
   * A request's part with an idempotency key: resolves with what became of it. A part an earlier flush holds
   * waits for that flush to complete, within the flush timeout from its arrival, and is then `done`, or still
   * `pending`.
   */
  async ingestPart(part: KeyedPart): Promise<PartOutcome> {
    const deadline = performance.now() + this.options.timeoutMs;
    const outcome = await this.commits.addPart(part);
    if (outcome.kind !== 'pending') return outcome;
    while (performance.now() < deadline) {
      if (await this.keyed.completed(outcome.flush)) return { kind: 'done' };
      await sleep(PENDING_POLL_MS);
    }
    return outcome;
  }

  /** Writes everything pending and refuses new records. */
  drain(): Promise<void> {
    return this.commits.drain();
  }

  private async write(content: FlushContent): Promise<FlushWritten> {
    if (content.parts.length > 0) return this.keyed.write(content);
    return { upserts: await this.apply(content.unkeyed), keys: content.unkeyed.byKey.size, outcomes: [] };
  }

  /**
   * One unordered command per collection, all at once (docs/benchmarks.md), each statement guarded by the
   * flush when it has one; settles when every command has, with the number of upserts sent.
   */
  private async apply(totals: FlowTotals, flush?: FlushId): Promise<number> {
    const groups = flushStatements(totals);
    const results = await Promise.allSettled(
      groups.map(({ collection, statements }) => {
        if (flush) guard(statements, flush);
        return this.upsert(this.collections.totals[collection], statements, flush !== undefined);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return groups.reduce((upserts, { statements }) => upserts + statements.length, 0);
  }

  /**
   * Sends the statements, then each refused one again as retry() says, until none is refused; a statement
   * refused for any other reason, or again after its last retry, fails the flush. A guarded statement refused
   * as a duplicate key a second time found its document already reached by its flush: it is done.
   */
  private async upsert(collection: Collection<Document>, statements: Statement[], isGuarded: boolean): Promise<void> {
    const maxBytes = isGuarded ? (s: Statement) => incrementMaxBytes(s) + GUARD_MAX_BYTES : incrementMaxBytes;
    let pending = statements.map((statement) => ({ statement, sent: statement, duplicates: 0 }));
    for (let round = 0; pending.length > 0; round++) {
      const refused = await updateStatements(this.client, collection, pending.map((p) => p.sent), maxBytes);
      pending = refused.flatMap((error) => {
        const p = pending[error.index];
        if (error.code === DUPLICATE_KEY && isGuarded && p.duplicates++ > 0) return [];
        const again = round < MAX_RETRIES ? retry(p.statement, p.sent, error) : undefined;
        if (!again) throw new MongoServerError(error);
        return [{ ...p, sent: again }];
      });
    }
  }
}
