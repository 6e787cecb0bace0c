import { Collection, Db, Document } from 'mongodb';
import { ClaimDocument, claimsAgeIndex, JournalChunk, WriterSlotDocument } from '../query/exactlyOnce';
import { expiredFlowsQuery, flowReadIndex, FlowTotalsDocument } from '../query/flows';
import { expiredRollupsQuery, Rollup, rollupReadIndex } from '../query/rollups';
import { SweptCollection } from './retentionSweep';
import { CoverageDocument } from './rollupCoverage';

/**
 * The collections FAS keeps: the key documents under the configured name, every roll-up's documents beside
 * it in `${name}.rollups`, and `${name}.coverage`, which says from which hour the roll-ups are complete;
 * for requests with an idempotency key (docs/exactly-once.md), their claims, the writer slots and the flush
 * journal.
 */
export type TotalsCollection = 'keys' | 'rollups';

export class FlowCollections {
  readonly keys: Collection<FlowTotalsDocument>;
  readonly coverage: Collection<CoverageDocument>;
  readonly claims: Collection<ClaimDocument>;
  readonly writers: Collection<WriterSlotDocument>;
  readonly journal: Collection<JournalChunk>;
  /** The collections of totals: the key documents (FlowTotalsDocument), the roll-ups' (RollupDocument). */
  readonly totals: Record<TotalsCollection, Collection<Document>>;

  constructor(db: Db, name: string) {
    this.keys = db.collection(name);
    this.coverage = db.collection(`${name}.coverage`);
    this.claims = db.collection(`${name}.claims`);
    this.writers = db.collection(`${name}.writers`);
    this.journal = db.collection(`${name}.journal`);
    this.totals = { keys: db.collection(name), rollups: db.collection(`${name}.rollups`) };
  }

  /** Every collection named here, each once: what a benchmark drops after its run. */
  all(): Pick<Collection, 'drop'>[] {
    return [...Object.values(this.totals), this.coverage, this.claims, this.writers, this.journal];
  }

  /** Where a read's documents are: the roll-ups' collection for a roll-up, else the key documents'. */
  of(rollup?: Rollup): Collection<Document> {
    return this.totals[rollup ? 'rollups' : 'keys'];
  }

  /** Each collection of totals with the query of its documents before an hour: what retention sweeps. */
  swept(): SweptCollection[] {
    return [
      { collection: this.totals.keys, expired: expiredFlowsQuery },
      { collection: this.totals.rollups, expired: expiredRollupsQuery },
    ];
  }

  /** The read index of each collection of totals; what the janitor of idempotency keys looks up by. */
  async ensureIndexes(): Promise<void> {
    await this.keys.createIndexes([flowReadIndex]);
    await this.totals.rollups.createIndexes([rollupReadIndex]);
    await this.claims.createIndexes([claimsAgeIndex]);
    await this.journal.createIndexes([{ key: { journal: 1 }, name: 'journal' }]);
  }
}
