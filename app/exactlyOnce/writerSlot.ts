import { Collection } from 'mongodb';
import { FlushId, WriterSlotDocument } from '../query/exactlyOnce';
import { DUPLICATE_KEY } from '../storage/updateCommand';

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
        await this.slots.insertOne({ _id: id, holder: this.holder, leaseUntil: this.leaseEnd(), seq: 0, inFlight: null });
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
   * Begins a flush whose journal is written: numbers it and records it in flight, if no flush is in flight on
   * this member's slot. Undefined when one is (it must complete first). A slot lost since (its lease ran out
   * while this member stalled, and another member took it, with any flush in flight on it) is given up for
   * another.
   */
  async begin(journal: string): Promise<FlushId | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = await this.held();
      const slot = await this.slots.findOneAndUpdate(
        { _id: id, holder: this.holder, inFlight: null },
        { $inc: { seq: 1 }, $set: { inFlight: journal, leaseUntil: this.leaseEnd() } },
        { returnDocument: 'after' },
      );
      if (slot) return { slot: id, seq: slot.seq };
      if (await this.stillHeld(id)) return undefined;
    }
    throw new LostSlotError('writer slots were taken over three times in a row');
  }

  /** Whether this member still holds the slot; if not, it holds none until held() takes another. */
  private async stillHeld(id: number): Promise<boolean> {
    const current = await this.slots.findOne({ _id: id });
    if (current?.holder === this.holder) return true;
    this.id = undefined;
    return false;
  }

  /**
   * The flush in flight on this member's slot, with its journal: one that failed, to complete first. None
   * when the slot was lost: the member that took it completes its flush.
   */
  async inFlight(): Promise<{ flush: FlushId; journal: string } | undefined> {
    const id = await this.held();
    const slot = await this.slots.findOne({ _id: id, holder: this.holder });
    if (!slot) {
      this.id = undefined;
      return undefined;
    }
    return slot.inFlight === null ? undefined : { flush: { slot: id, seq: slot.seq }, journal: slot.inFlight };
  }

  /** Marks a flush complete; false when this member no longer holds the slot (another completed it, or will). */
  async complete(flush: FlushId, journal: string): Promise<boolean> {
    const { matchedCount } = await this.slots.updateOne(
      { _id: flush.slot, holder: this.holder, seq: flush.seq, inFlight: journal },
      { $set: { inFlight: null, leaseUntil: this.leaseEnd() } },
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
