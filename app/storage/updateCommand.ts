import { Collection, Document, MongoClient } from 'mongodb';
import { executeOperation } from 'mongodb/lib/operations/execute_operation';
import { UpdateOperation } from 'mongodb/lib/operations/update';
import { MongoDBCollectionNamespace, resolveOptions } from 'mongodb/lib/utils';

/** MongoDB's limit on the statements of one write command (3.6 and later). */
const MAX_STATEMENTS = 100_000;
/** MongoDB refuses a command document over 16 MiB; the rest of the command is far under the margin left. */
const MAX_STATEMENT_BYTES = 15 * 1024 * 1024;

/** MongoDB's code for a write that would duplicate a unique index's key (for an upsert: the _id taken). */
export const DUPLICATE_KEY = 11000;

export interface StatementError {
  /** The statement's index in the array passed to updateStatements. */
  index: number;
  code: number;
  errmsg: string;
}

/** Splits statements into commands within MongoDB's limits, given an upper bound of each one's BSON size. */
export function commandChunks<T>(statements: readonly T[], maxBytes: (statement: T) => number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const statement of statements) {
    const size = maxBytes(statement);
    if (chunk.length > 0 && (chunk.length >= MAX_STATEMENTS || bytes + size > MAX_STATEMENT_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(statement);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The driver's update operation for one unordered command, as Collection.bulkWrite builds it for a batch. */
export function updateOperation<S extends Document>(collection: Collection<S>, statements: Document[]): UpdateOperation {
  const namespace = MongoDBCollectionNamespace.fromString(collection.namespace);
  return new UpdateOperation(namespace, statements, resolveOptions(collection, { ordered: false }));
}

/**
 * Sends unordered update statements ({ q, u, upsert }), one command per chunk, through the driver's own
 * retryable-write path: each command carries a transaction number where the deployment supports retryable
 * writes, and a retry after a failover is recognised by the server and not applied twice. This is what
 * Collection.bulkWrite does with each batch, without its bookkeeping for every statement (a copy and a BSON
 * size calculation of each, then merged results), which costs about as much again as the command
 * (docs/benchmarks.md). Resolves with the statements MongoDB refused; rejects when a command failed.
 */
export async function updateStatements<S extends Document, T extends Document>(
  client: MongoClient,
  collection: Collection<S>,
  statements: readonly T[],
  maxBytes: (statement: T) => number,
): Promise<StatementError[]> {
  const refused: StatementError[] = [];
  let offset = 0;
  for (const chunk of commandChunks(statements, maxBytes)) {
    const reply = await executeOperation(client, updateOperation(collection, chunk));
    for (const e of (reply.writeErrors ?? []) as StatementError[]) {
      refused.push({ index: offset + e.index, code: e.code, errmsg: e.errmsg });
    }
    offset += chunk.length;
  }
  return refused;
}
