import { Collection, Document, MongoClient, MongoServerError } from 'mongodb';
import { FlowRecord } from '../data/flow';
import { IncrementStatement, incrementMaxBytes } from '../query/flows';
import { FlowCollections } from './flowCollections';
import { FlowTotals } from './flowTotals';
import { flushStatements } from './flushStatements';
import { FlushReport, GroupCommit, GroupCommitOptions } from './groupCommit';
import { retry } from './statementRetry';
import { updateStatements } from './updateCommand';

/** A duplicate key, then at most three ways of storing a total past 2^63 - 1. */
const MAX_RETRIES = 4;

type Statement = IncrementStatement<Document>;

/** Hourly flow totals in MongoDB: records are summed into key documents and roll-ups through group commit. */
export class FlowStore {
  private readonly commits: GroupCommit;

  constructor(
    private readonly client: MongoClient,
    private readonly collections: FlowCollections,
    options: GroupCommitOptions,
    onFlush?: (report: FlushReport) => void,
  ) {
    this.commits = new GroupCommit((totals) => this.write(totals), options, onFlush);
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

  /** Writes everything pending and refuses new records. */
  drain(): Promise<void> {
    return this.commits.drain();
  }

  /**
   * One unordered command per collection, all at once (docs/benchmarks.md); settles when every one has, with
   * the number of upserts sent.
   */
  private async write(totals: FlowTotals): Promise<number> {
    const groups = flushStatements(totals);
    const results = await Promise.allSettled(
      groups.map(({ collection, statements }) => this.upsert(this.collections.totals[collection], statements)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return groups.reduce((upserts, { statements }) => upserts + statements.length, 0);
  }

  /**
   * Sends the statements, then each refused one again as retry() says, until none is refused; a statement
   * refused for any other reason, or again after its last retry, fails the flush.
   */
  private async upsert(collection: Collection<Document>, statements: Statement[]): Promise<void> {
    let pending = statements.map((statement) => ({ statement, sent: statement }));
    for (let round = 0; pending.length > 0; round++) {
      const refused = await updateStatements(this.client, collection, pending.map((p) => p.sent), incrementMaxBytes);
      pending = refused.map((error) => {
        const { statement, sent } = pending[error.index];
        const again = round < MAX_RETRIES ? retry(statement, sent, error) : undefined;
        if (!again) throw new MongoServerError(error);
        return { statement, sent: again };
      });
    }
  }
}
