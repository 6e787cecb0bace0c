import { Collection } from 'mongodb';
import { FlushId, SLOT_STATE, WriterSlotDocument } from '../query/exactlyOnce';
import { DUPLICATE_KEY } from '../storage/updateCommand';
import { Journal } from './flushJournal';

/** This writer no longer holds its slot: another member took it over, its lease having run out. */
export class LostSlotError extends Error {}

/**
 * A writer slot held under a lease: the sequence of flushes with idempotency keys this member makes, one at
 * a time, each in flight until it completes. Every transition is one atomic update conditioned on holding
 * the slot, so a member that lost it (its lease ran out while it stalled) can neither begin nor complete a
 * flush on it; the member that took it over replays the flush in flight first (docs/exactly-once.md).
 */
export class WriterSlot {
  private id?: number;
  /** The number of the slot's last flush begun: only its holder begins flushes on it. */
  private seq = 0;
  private renewal?: NodeJS.Timeout;

  constructor(
    private readonly slots: Collection<WriterSlotDocument>,
    /** This process, as the slots name their holder. */
    readonly holder: string,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private leaseEnd(): Date {
    return new Date(this.now() + this.leaseMs);
  }

  /** The slot this member holds, taking a free one, or a new one, when it holds none. */
  async held(): Promise<number> {
    if (this.id !== undefined) return this.id;
    const free = await this.slots.findOneAndUpdate(
      { leaseUntil: { $lt: new Date(this.now()) }, inFlight: null },
      { $set: { holder: this.holder, leaseUntil: this.leaseEnd() } },
      { sort: { _id: 1 }, returnDocument: 'after' },
    );
    this.seq = free?.seq ?? 0;
    this.id = free?._id ?? (await this.create());
    this.renewLater();
    return this.id;
  }

  /** A new slot after the highest; two members creating one at once each get their own. */
  private async create(): Promise<number> {
    for (;;) {
      const [last] = await this.slots.find({}, { projection: { _id: 1 }, sort: { _id: -1 }, limit: 1 }).toArray();
      const id = (last?._id ?? -1) + 1;
      try {
        await this.slots.insertOne({ _id: id, holder: this.holder, leaseUntil: this.leaseEnd(), seq: 0, inFlight: null, journal: null });
        return id;
      } catch (err) {
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    }
  }

  /** Renews the lease a third of the way through it; a renewal that finds the slot taken gives it up. */
  private renewLater(): void {
    clearTimeout(this.renewal);
    this.renewal = setTimeout(() => {
      const id = this.id;
      if (id === undefined) return;
      this.slots
        .updateOne({ _id: id, holder: this.holder }, { $set: { leaseUntil: this.leaseEnd() } })
        .then(({ matchedCount }) => {
          if (matchedCount === 0) this.id = undefined;
          else this.renewLater();
        }, () => this.renewLater());
    }, this.leaseMs / 3);
    this.renewal.unref();
  }

  /**
   * Begins a flush: numbers it and records it in flight with its journal, if no flush is in flight on this
   * member's slot but the one `completing` names (applied whole: it completes in the same update). Undefined
   * when another flush is in flight (it must complete first). A slot lost since (its lease ran out while this
   * member stalled, and another member took it, with any flush in flight on it) is given up for another.
   */
  async begin(journal: Journal, completing?: string): Promise<FlushId | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = await this.held();
      const seq = this.seq + 1;
      // An update, not a findAndModify: the holder knows the number, and the reply carries no journal.
      const { matchedCount } = await this.slots.updateOne(
        { _id: id, holder: this.holder, seq: this.seq, inFlight: { $in: [null, completing ?? null] } },
        { $set: { seq, inFlight: journal.id, journal: journal.inline, leaseUntil: this.leaseEnd() } },
      );
      if (matchedCount === 1) {
        this.seq = seq;
        return { slot: id, seq };
      }
      const current = await this.slots.findOne({ _id: id }, SLOT_STATE);
      if (current?.holder !== this.holder) {
        this.id = undefined;
        continue;
      }
      // A beginning that failed on the wire may have been applied: the slot says.
      this.seq = current.seq;
      if (current.inFlight !== null && current.inFlight !== completing) return undefined;
    }
    throw new LostSlotError('writer slots were taken over three times in a row');
  }

  /**
   * The flush in flight on this member's slot, with its journal: one that failed, or one applied whose
   * completion is still to come. None when the slot was lost: the member that took it completes its flush.
   */
  async inFlight(): Promise<{ flush: FlushId; journal: Journal } | undefined> {
    const id = await this.held();
    const slot = await this.slots.findOne({ _id: id, holder: this.holder }, { promoteBuffers: true });
    if (!slot) {
      this.id = undefined;
      return undefined;
    }
    return slot.inFlight === null ? undefined : { flush: { slot: id, seq: slot.seq }, journal: { id: slot.inFlight, inline: slot.journal ?? null } };
  }

  /** Marks a flush complete; false when this member no longer holds the slot (another completed it, or will). */
  async complete(flush: FlushId, journal: string): Promise<boolean> {
    const { matchedCount } = await this.slots.updateOne(
      { _id: flush.slot, holder: this.holder, seq: flush.seq, inFlight: journal },
      { $set: { inFlight: null, journal: null, leaseUntil: this.leaseEnd() } },
    );
    return matchedCount === 1;
  }

  /** Gives the slot up (shutdown): another member may take it at once. */
  async release(): Promise<void> {
    clearTimeout(this.renewal);
    const id = this.id;
    this.id = undefined;
    if (id !== undefined) await this.slots.updateOne({ _id: id, holder: this.holder }, { $set: { holder: null, leaseUntil: new Date(0) } });
  }
}
