import { FlushId, PartClaim } from '../query/exactlyOnce';
import { FlowTotals } from './flowTotals';

/** A request's share of a flush, written once by its claim: the part, and its records summed by key. */
export interface KeyedPart {
  claim: PartClaim;
  totals: FlowTotals;
}

/** What a flush writes: records without an idempotency key, and the parts of requests with one. */
export interface FlushContent {
  unkeyed: FlowTotals;
  parts: KeyedPart[];
}

/**
 * What became of a request's part in a flush (docs/exactly-once.md): applied by it; applied, or being
 * applied, by an earlier flush that holds its claim; refused because the key came with other records, or
 * was split over other members.
 */
export type PartOutcome =
  | { kind: 'applied' }
  | { kind: 'done' }
  | { kind: 'pending'; flush: FlushId }
  | { kind: 'conflict' }
  | { kind: 'resplit'; split: string };

/** What a flush's write resolves with: the upserts sent, and each keyed part's outcome, in order. */
export interface FlushWritten {
  upserts: number;
  /** Distinct keys written: parts of one flush often share keys. */
  keys: number;
  outcomes: PartOutcome[];
}

/** Writes totals with every statement guarded by the flush (query/exactlyOnce.ts); resolves with the upserts sent. */
export type GuardedApply = (totals: FlowTotals, flush: FlushId) => Promise<number>;

/** Writes the flushes that hold keyed parts, each part applied at most once (app/exactlyOnce). */
export interface KeyedWriter {
  write(content: FlushContent): Promise<FlushWritten>;
  /** Whether a flush of a writer slot has completed. */
  completed(flush: FlushId): Promise<boolean>;
}
