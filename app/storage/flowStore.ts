import { AggregationCursor, Collection, Document, FindCursor, MongoClient, MongoServerError } from 'mongodb';
import { FlowRecord } from '../data/flow';
import { FlowTotalsDocument, hourTotalsQuery, IncrementStatement, incrementMaxBytes, incrementTotals } from '../query/flows';
import { TotalsQuery, totalsPipeline } from '../query/totals';
import { FlowTotals } from './flowTotals';
import { FlushReport, GroupCommit, GroupCommitOptions } from './groupCommit';
import { StatementError, updateStatements } from './updateCommand';

const DUPLICATE_KEY = 11000;
/**
 * Rows per reply of an hour's read. Without it every reply after MongoDB's first 101 rows holds up to 16 MiB,
 * deserialized at once: the whole of a 50,000-key hour in one (docs/benchmarks.md).
 */
const READ_BATCH_SIZE = 1000;

/** Hourly flow totals in MongoDB: records are rolled up into one document per key through group commit. */
export class FlowStore {
  private readonly commits: GroupCommit;
  private readonly queryTimeoutMs: number;

  constructor(
    private readonly client: MongoClient,
    private readonly collection: Collection<FlowTotalsDocument>,
    options: GroupCommitOptions & { queryTimeoutMs: number },
    onFlush?: (report: FlushReport) => void,
  ) {
    this.commits = new GroupCommit((totals) => this.write(totals), options, onFlush);
    this.queryTimeoutMs = options.queryTimeoutMs;
  }

  get pendingRecords(): number {
    return this.commits.pendingRecords;
  }

  /** Resolves when the records are acknowledged by MongoDB with the configured write concern. */
  ingest(records: readonly FlowRecord[]): Promise<void> {
    return this.commits.add(records);
  }

  /** The rows of one hour in key order, with Int64 totals as bigint so no sum passes through a double. */
  hourTotals(hour: number): FindCursor<FlowTotalsDocument> {
    const { filter, projection, sort } = hourTotalsQuery(hour);
    return this.collection.find(filter, {
      projection,
      sort,
      useBigInt64: true,
      maxTimeMS: this.queryTimeoutMs,
      batchSize: READ_BATCH_SIZE,
    });
  }

  /** The rows of a read in its order, with Int64 sums as bigint so no total passes through a double. */
  totals(query: TotalsQuery): AggregationCursor<Document> {
    return this.collection.aggregate(totalsPipeline(query), {
      useBigInt64: true,
      maxTimeMS: this.queryTimeoutMs,
      // Grouping a month of keys can pass the 100 MB an in-memory stage may use.
      allowDiskUse: true,
    });
  }

  /** Writes everything pending and refuses new records. */
  drain(): Promise<void> {
    return this.commits.drain();
  }

  private async write(totals: FlowTotals): Promise<void> {
    const statements: IncrementStatement[] = [];
    totals.byKey.forEach((t, id) => statements.push(incrementTotals(id, t.key, t.bytesTx, t.bytesRx)));
    const refused = await this.update(statements);
    if (refused.length === 0) return;
    const retry = duplicateKeyFailures(refused);
    if (!retry) throw new MongoServerError(refused[0]);
    const again = await this.update(retry.map((index) => statements[index]));
    if (again.length > 0) throw new MongoServerError(again[0]);
  }

  private update(statements: IncrementStatement[]): Promise<StatementError[]> {
    return updateStatements(this.client, this.collection, statements, incrementMaxBytes);
  }
}

/**
 * Two replicas upserting the same new key race on the unique index: the loser's increment did not apply and
 * a retry finds the winner's document. Returns the statements to retry when those are the only failures.
 */
function duplicateKeyFailures(refused: StatementError[]): number[] | undefined {
  if (refused.some((e) => e.code !== DUPLICATE_KEY)) return undefined;
  return refused.map((e) => e.index);
}
