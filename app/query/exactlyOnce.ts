import { Document, IndexDescription } from 'mongodb';

/**
 * The templates of exactly-once writes (docs/exactly-once.md): the guard every statement of a flush with
 * idempotency keys carries, the claim of a request's part, and a writer slot's transitions.
 */

/** A flush of a writer slot: the slot, and the flush's sequence number within it. */
export interface FlushId {
  slot: number;
  seq: number;
}

export const flushName = ({ slot, seq }: FlushId) => `${slot}:${seq}`;

/** The document field that records the last flush of a slot to reach a document. */
export const guardField = (slot: number) => `w.${slot}`;

/** What a guard adds to a statement's BSON size, at most: its field twice, an operator and a sequence number. */
export const GUARD_MAX_BYTES = 100;

/**
 * Makes each of a flush's statements applied at most once: only to a document no flush of this slot at or after
 * this one has reached, and recording this flush in the same atomic update. A flush's statements sent again
 * (a retry, a replay by another member) skip every document they already reached. On a document that exists
 * and was reached the filter does not match, and the upsert finds the _id taken: a duplicate key error that,
 * sent again, means "already applied". Changes the statements in place, all sharing the guard's two values:
 * a flush makes thousands.
 */
export function guard(statements: readonly { q: object; u: object }[], { slot, seq }: FlushId): void {
  const field = guardField(slot);
  const unreached = { $not: { $gte: seq } };
  const reached = { [field]: seq };
  for (const statement of statements) {
    (statement.q as Document)[field] = unreached;
    (statement.u as Document).$set = reached;
  }
}

/** The part of a request one member writes: which request, the fleet it was split over, which share. */
export interface PartClaim {
  /** The request's claim _id (its client and key). */
  id: string;
  digest: string;
  /** The members the request was split over, sorted, joined by spaces: the same records go to the same part. */
  split: string;
  /** The index in the split of the member whose keys this part holds. */
  part: number;
  /** The request's record count, its answer. */
  records: number;
}

/**
 * Claims a part for a flush: creates the request's claim with its digest and split, or finds it with the
 * same, and records the flush against the part unless another flush holds it. Run again by the same flush
 * it matches again. A duplicate key error means the claim exists and differs: another body, another split,
 * or the part held by another flush (the claim document says which).
 */
export function claimStatement(claim: PartClaim, flush: FlushId, now: Date): Document {
  const part = `parts.${claim.part}`;
  return {
    q: { _id: claim.id, digest: claim.digest, split: claim.split, $or: [{ [part]: { $exists: false } }, { [part]: flushName(flush) }] },
    u: { $set: { [part]: flushName(flush) }, $setOnInsert: { records: claim.records, at: now } },
    upsert: true,
  };
}

/** A request's claim: its digest and split, and the flush holding each of its parts. */
export interface ClaimDocument {
  _id: string;
  digest: string;
  split: string;
  records: number;
  at: Date;
  parts?: Record<string, string>;
}

/** The claims by age: the janitor forgets those older than IDEMPOTENCY_TTL_HOURS. */
export const claimsAgeIndex: IndexDescription = { key: { at: 1 }, name: 'at' };

/**
 * A writer slot: its holder's lease, the sequence of its flushes, and the one in flight, by its journal, with
 * the journal's content itself when it fits this document.
 */
export interface WriterSlotDocument {
  _id: number;
  holder: string | null;
  leaseUntil: Date;
  seq: number;
  /** The journal of the flush numbered `seq` while it is not complete; null when every flush is. */
  inFlight: string | null;
  /** The content of the journal in flight when it is one chunk; null when it is in the journal collection. */
  journal?: JournalContent | null;
}

/** What reading a slot needs but for its journal's content, which may be hundreds of kilobytes. */
export const SLOT_STATE = { projection: { journal: 0 } } as const;

/** Whether a slot has completed a flush: a later one has begun, or it is the last and none is in flight. */
export function isComplete(slot: Pick<WriterSlotDocument, 'seq' | 'inFlight'>, seq: number): boolean {
  return slot.seq > seq || (slot.seq === seq && slot.inFlight === null);
}

/** Rows of keys' totals (app/exactlyOnce/journalRows.ts) naming `names`: a flush's journal, or a chunk of it. */
export interface JournalContent {
  names: string[];
  /** Records without a key: their count, their rows. */
  unkeyed: { records: number; rows: Uint8Array };
  parts: { claim: PartClaim; records: number; rows: Uint8Array }[];
}

/** One document of a flush's journal in the journal collection: a journal too large for its slot's document. */
export interface JournalChunk extends JournalContent {
  _id: string;
  journal: string;
  chunk: number;
  chunks: number;
  at: Date;
}
