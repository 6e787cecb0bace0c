import { Collection, Document, MongoClient, MongoServerError } from 'mongodb';
import { ClaimDocument, claimStatement, FlushId, flushName, isComplete, PartClaim, SLOT_STATE, WriterSlotDocument } from '../query/exactlyOnce';
import { FlushContent, FlushWritten, GuardedApply, KeyedPart, KeyedWriter, PartOutcome } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';
import { DUPLICATE_KEY, updateStatements } from '../storage/updateCommand';
import { FlushJournal, Journal } from './flushJournal';
import { WriterSlot } from './writerSlot';

/** An upper bound of a claim statement's size: the ids, digest and split, and room for the rest. */
const claimMaxBytes = (statement: Document) =>
  512 + 3 * ((statement.q._id as string).length + (statement.q.split as string).length);

/**
 * How long a flush applied whole waits for the next flush's beginning to complete it, in the same update,
 * before it completes by itself: meanwhile a repeat of its requests sent to another member waits on it.
 */
const COMPLETION_WAIT_MS = 1_000;

/** What a flush's claims and statements did. */
interface Applied {
  upserts: number;
  keys: number;
  /** The parts not applied by this flush: refused by their claims, or repeats of another part of it. */
  notApplied: Set<number>;
}

/**
 * Writes a flush that holds parts of requests with idempotency keys so that each part is applied at most once,
 * however often its request is sent and to whichever member (docs/exactly-once.md): the flush begins on this
 * member's writer slot with its journal, each part is claimed for it, and every statement is guarded by the
 * flush's number; the flush then completes, with the next one's beginning if that comes soon. A flush left
 * in flight (a failure, a member lost) is completed from its journal, by this member before its next one, or
 * by the member that takes the slot over.
 */
export class KeyedFlushes implements KeyedWriter {
  /** Whether a write of this member's is running: its flush in flight is not left over. */
  private writing = false;
  private leftOver?: Promise<boolean>;
  /** This member's last flush, applied whole, until it completes. */
  private applied?: { flush: FlushId; journal: Journal };
  private completion?: NodeJS.Timeout;

  constructor(
    private readonly client: MongoClient,
    private readonly claims: Collection<ClaimDocument>,
    private readonly slots: Collection<WriterSlotDocument>,
    private readonly journal: FlushJournal,
    private readonly slot: WriterSlot,
    private readonly apply: GuardedApply,
    private readonly now: () => number = Date.now,
    private readonly completionWaitMs = COMPLETION_WAIT_MS,
  ) {}

  /** Writes a flush; resolves with the upserts sent and each part's outcome, in order. */
  async write(content: FlushContent): Promise<FlushWritten> {
    this.writing = true;
    try {
      const journal = await this.journal.write(content);
      let flush = await this.begin(journal);
      if (!flush) {
        // A flush of this member's failed and is still in flight: it completes first, as its slot requires.
        await this.completeLeftOver();
        flush = await this.begin(journal);
        if (!flush) throw new Error('the writer slot has a flush in flight');
      }
      const applied = await this.claimAndApply(content, flush);
      this.completeLater(flush, journal);
      return await this.written(content, applied);
    } finally {
      this.writing = false;
    }
  }

  /** Begins a flush, completing the one this member applied last in the same update. */
  private async begin(journal: Journal): Promise<FlushId | undefined> {
    const applied = this.applied;
    const flush = await this.slot.begin(journal, applied?.journal.id);
    if (!flush) return undefined;
    // Completed: by this beginning or its timer, or, the slot lost since, by the member that took it, which
    // may still need its journal.
    if (this.applied === applied) this.applied = undefined;
    if (applied?.flush.slot === flush.slot) await this.journal.delete(applied.journal).catch(() => {});
    return flush;
  }

  /** Leaves a flush applied whole to the next one's beginning, or to a timer if none begins in time. */
  private completeLater(flush: FlushId, journal: Journal): void {
    this.applied = { flush, journal };
    clearTimeout(this.completion);
    this.completion = setTimeout(() => void this.completeApplied().catch(() => {}), this.completionWaitMs);
    this.completion.unref();
  }

  /** Completes the flush applied last, then gives the slot up (shutdown): another member may take it at once. */
  async close(): Promise<void> {
    // If this fails, the flush stays in flight on the slot released, for the member that takes it to complete.
    await this.completeApplied().catch(() => {});
    await this.slot.release();
  }

  /** Completes this member's flush applied last, if it has not completed yet: its timer, or a shutdown. */
  protected async completeApplied(): Promise<void> {
    clearTimeout(this.completion);
    const applied = this.applied;
    if (!applied) return;
    const completed = await this.slot.complete(applied.flush, applied.journal.id);
    if (this.applied === applied) this.applied = undefined;
    if (completed) await this.journal.delete(applied.journal).catch(() => {});
  }

  /**
   * Completes this member's flush left in flight when it failed, unless a write is running (it completes it
   * first): a retry of its requests elsewhere waits on it. Resolves with whether there was one.
   */
  recoverOwn(): Promise<boolean> {
    return this.writing ? Promise.resolve(false) : this.completeLeftOver();
  }

  /** One completion of the flush left over at a time, whoever asks for it; one applied whole just completes. */
  private completeLeftOver(): Promise<boolean> {
    this.leftOver ??= this.slot
      .inFlight()
      .then(async (left) => {
        if (!left) return false;
        if (left.journal.id === this.applied?.journal.id) {
          await this.completeApplied();
          return false;
        }
        await this.complete(await this.journal.read(left.journal), left.flush, left.journal);
        return true;
      })
      .finally(() => (this.leftOver = undefined));
    return this.leftOver;
  }

  /**
   * Claims, applies and completes a begun flush again (a replay by its member or by another): every step
   * matches what an earlier run did, so nothing is claimed or applied twice.
   */
  async complete(content: FlushContent, flush: FlushId, journal: Journal): Promise<FlushWritten> {
    const applied = await this.claimAndApply(content, flush);
    // Applied whole, by this run or an earlier one: complete whoever holds the slot now (a member that took it
    // over replays it to no effect), and the journal is no longer needed.
    await this.slot.complete(flush, journal.id);
    await this.journal.delete(journal).catch(() => {});
    return this.written(content, applied);
  }

  /** Claims a begun flush's parts, and applies the records without a key and the parts claimed. */
  private async claimAndApply(content: FlushContent, flush: FlushId): Promise<Applied> {
    // Attempts of one request that meet in one flush claim its parts once: the first of each part claims it.
    const firsts = new Map<string, number>();
    const repeats = new Set<number>();
    content.parts.forEach(({ claim }, i) => {
      const part = `${claim.id}\n${claim.part}`;
      if (firsts.has(part)) repeats.add(i);
      else firsts.set(part, i);
    });
    const refused = await this.claim(content.parts, repeats, flush);
    const totals = new FlowTotals();
    totals.merge(content.unkeyed);
    content.parts.forEach((part, i) => {
      if (!refused.has(i) && !repeats.has(i)) totals.merge(part.totals);
    });
    const upserts = await this.apply(totals, flush);
    return { upserts, keys: totals.byKey.size, notApplied: new Set([...refused, ...repeats]) };
  }

  /** What a flush applied reports, once applied: the upserts it sent, its keys, and each part's outcome. */
  private async written(content: FlushContent, { upserts, keys, notApplied }: Applied): Promise<FlushWritten> {
    return { upserts, keys, outcomes: await this.outcomesOf(content.parts, notApplied) };
  }

  /**
   * Claims every part for the flush but the repeats; resolves with the indexes of the parts whose claim
   * differs.
   */
  private async claim(parts: readonly KeyedPart[], repeats: ReadonlySet<number>, flush: FlushId): Promise<Set<number>> {
    const at = new Date(this.now());
    const sent = parts.flatMap((_, i) => (repeats.has(i) ? [] : [i]));
    if (sent.length === 0) return new Set();
    const statements = sent.map((i) => claimStatement(parts[i].claim, flush, at));
    const refused = await updateStatements(this.client, this.claims, statements, claimMaxBytes);
    const failure = refused.find((e) => e.code !== DUPLICATE_KEY);
    if (failure) throw new MongoServerError(failure);
    return new Set(refused.map((e) => sent[e.index]));
  }

  /** Each part's outcome: applied by this flush, or what its claim says of the request. */
  private async outcomesOf(parts: readonly KeyedPart[], notApplied: ReadonlySet<number>): Promise<PartOutcome[]> {
    const claims = new Map<string, ClaimDocument>();
    for (const i of notApplied) {
      const { id } = parts[i].claim;
      if (!claims.has(id)) {
        const claim = await this.claims.findOne({ _id: id });
        if (claim) claims.set(id, claim);
      }
    }
    return Promise.all(
      parts.map(async ({ claim }, i): Promise<PartOutcome> => {
        if (!notApplied.has(i)) return { kind: 'applied' };
        return this.outcomeOf(claim, claims.get(claim.id));
      }),
    );
  }

  /** What a claim found in place says of a part it refused. */
  private async outcomeOf(part: PartClaim, claim: ClaimDocument | undefined): Promise<PartOutcome> {
    if (!claim) throw new Error(`the claim of ${part.id} refused a part and is gone`);
    if (claim.digest !== part.digest) return { kind: 'conflict' };
    if (claim.split !== part.split) return { kind: 'resplit', split: claim.split };
    const holder = claim.parts?.[String(part.part)];
    if (holder === undefined) throw new Error(`the claim of ${part.id} refused a part it does not hold`);
    const [slot, seq] = holder.split(':').map(Number);
    return (await this.completed({ slot, seq })) ? { kind: 'done' } : { kind: 'pending', flush: { slot, seq } };
  }

  /** Whether a flush has completed, or, one of this member's, been applied whole (it completes soon). */
  async completed(flush: FlushId): Promise<boolean> {
    const applied = this.applied?.flush;
    if (applied?.slot === flush.slot && applied.seq === flush.seq) return true;
    const slot = await this.slots.findOne({ _id: flush.slot }, SLOT_STATE);
    if (!slot) throw new Error(`no writer slot ${flushName(flush)}`);
    return isComplete(slot, flush.seq);
  }
}
