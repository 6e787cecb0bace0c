import { Collection } from 'mongodb';
import { ClaimDocument, SLOT_STATE, WriterSlotDocument } from '../query/exactlyOnce';
import { FlushJournal } from './flushJournal';
import { KeyedFlushes } from './keyedFlush';

export interface JanitorReport {
  /**
   * Flushes left in flight, completed from their journals: this member's own that failed (a stalled store),
   * and those of members whose lease ran out.
   */
  recovered: number;
  /** Claims older than IDEMPOTENCY_TTL_HOURS deleted: their keys are forgotten. */
  forgotten: number;
  error?: unknown;
}

export interface SlotJanitorOptions {
  /** This process, as the slots name their holder. */
  holder: string;
  leaseMs: number;
  ttlHours: number;
  /** Whether MongoDB can take writes: the janitor waits while it cannot. */
  ready: () => boolean;
  onSweep: (report: JanitorReport) => void;
  now?: () => number;
}

/** A journal no slot refers to after this long was never begun (its writer stopped first): it is deleted. */
const ORPHAN_MS = 3_600_000;

/**
 * Every lease period, each member: completes its own flush left in flight (it failed, and no other came to
 * complete it first), and those left on slots whose lease ran out (the member holding them stalled or died),
 * from their journals, then frees those slots; forgets the claims older than the idempotency TTL; deletes the
 * journals of flushes that never began.
 */
export class SlotJanitor {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<JanitorReport>;
  private readonly now: () => number;

  constructor(
    private readonly slots: Collection<WriterSlotDocument>,
    private readonly claims: Collection<ClaimDocument>,
    private readonly journal: FlushJournal,
    private readonly flushes: KeyedFlushes,
    private readonly options: SlotJanitorOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.sweeping && this.options.ready()) this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
    }, this.options.leaseMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; reports what it did, and its failure if any. */
  async sweep(): Promise<JanitorReport> {
    const report: JanitorReport = { recovered: 0, forgotten: 0 };
    try {
      report.recovered = Number(await this.flushes.recoverOwn()) + (await this.recoverAbandoned());
      const expired = new Date(this.now() - this.options.ttlHours * 3_600_000);
      report.forgotten = (await this.claims.deleteMany({ at: { $lt: expired } })).deletedCount;
      await this.deleteOrphans();
    } catch (error) {
      report.error = error;
    }
    this.options.onSweep(report);
    return report;
  }

  private async recoverAbandoned(): Promise<number> {
    const now = new Date(this.now());
    let recovered = 0;
    for (const abandoned of await this.slots.find({ leaseUntil: { $lt: now }, inFlight: { $ne: null } }, SLOT_STATE).toArray()) {
      const taken = await this.slots.findOneAndUpdate(
        { _id: abandoned._id, leaseUntil: { $lt: now }, inFlight: abandoned.inFlight },
        { $set: { holder: this.options.holder, leaseUntil: new Date(this.now() + this.options.leaseMs) } },
        { returnDocument: 'after', promoteBuffers: true },
      );
      // Another member took it first.
      if (!taken?.inFlight) continue;
      const journal = { id: taken.inFlight, inline: taken.journal ?? null };
      await this.flushes.complete(await this.journal.read(journal), { slot: taken._id, seq: taken.seq }, journal);
      await this.slots.updateOne({ _id: taken._id, holder: this.options.holder }, { $set: { holder: null, leaseUntil: new Date(0) } });
      recovered++;
    }
    return recovered;
  }

  private async deleteOrphans(): Promise<void> {
    const inFlight = (await this.slots.find({ inFlight: { $ne: null } }, SLOT_STATE).toArray()).flatMap((s) => (s.inFlight === null ? [] : [s.inFlight]));
    await this.journal.deleteOrphans(new Date(this.now() - ORPHAN_MS), inFlight);
  }
}
