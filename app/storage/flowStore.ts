import { AggregationCursor, Collection, Document, FindCursor, MongoBulkWriteError } from 'mongodb';
import { FlowRecord } from '../data/flow';
import { bucketOf, FlowTotalsDocument, hourTotalsQuery, incrementTotals } from '../query/flows';
import { TotalsQuery, totalsPipeline } from '../query/totals';
import { FlowTotals } from './flowTotals';
import { FlushReport, GroupCommit, GroupCommitOptions } from './groupCommit';

const DUPLICATE_KEY = 11000;

/** Hourly flow totals in MongoDB: records are rolled up into one document per key through group commit. */
export class FlowStore {
  private readonly commits: GroupCommit;
  private readonly queryTimeoutMs: number;

  constructor(
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
    return this.collection.find(filter, { projection, sort, useBigInt64: true, maxTimeMS: this.queryTimeoutMs });
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
    const operations = [...totals.byKey].map(([text, t]) =>
      incrementTotals(t.key, bucketOf(text), t.bytesTx, t.bytesRx),
    );
    try {
      await this.collection.bulkWrite(operations, { ordered: false });
    } catch (err) {
      const retry = duplicateKeyFailures(err);
      if (!retry) throw err;
      await this.collection.bulkWrite(
        retry.map((index) => operations[index]),
        { ordered: false },
      );
    }
  }
}

/**
 * Two replicas upserting the same new key race on the unique index: the loser's increment did not apply and
 * a retry finds the winner's document. Returns the operations to retry when those are the only failures.
 */
function duplicateKeyFailures(err: unknown): number[] | undefined {
  if (!(err instanceof MongoBulkWriteError) || err.result.hasWriteErrors() === false) return undefined;
  const writeErrors = err.result.getWriteErrors();
  if (err.result.getWriteConcernError() || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) return undefined;
  return writeErrors.map((e) => e.index);
}
