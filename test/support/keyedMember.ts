import { MongoClient } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { FlushJournal, Journal } from '../../app/exactlyOnce/flushJournal';
import { KeyedFlushes } from '../../app/exactlyOnce/keyedFlush';
import { requestClaim } from '../../app/exactlyOnce/requestKey';
import { SlotJanitor } from '../../app/exactlyOnce/slotJanitor';
import { WriterSlot } from '../../app/exactlyOnce/writerSlot';
import { FlushId, guard } from '../../app/query/exactlyOnce';
import { flowKeyId } from '../../app/query/flows';
import { ROLLUPS } from '../../app/query/rollups';
import { FlowCollections } from '../../app/storage/flowCollections';
import { FlowStore } from '../../app/storage/flowStore';
import { FlowTotals } from '../../app/storage/flowTotals';
import { FlushContent, FlushWritten, GuardedApply, KeyedPart } from '../../app/storage/flushContent';
import { FlushReport } from '../../app/storage/groupCommit';
import { flushStatements } from '../../app/storage/flushStatements';
import { updateStatements } from '../../app/storage/updateCommand';

/**
 * One member's writing pieces for requests with an idempotency key, wired as createService wires them, on a
 * client of the test's; a member may be made to die after any step of a keyed flush.
 */

/** A member dies here: the step before it is done, nothing after it is. */
export class Crash extends Error {}

export type Step = 'journal' | 'begin' | 'claim' | 'first statements of the apply' | 'apply' | 'complete';
export const STEPS: Step[] = ['journal', 'begin', 'claim', 'first statements of the apply', 'apply', 'complete'];

/** A journal whose writer dies once its content is written (to the journal collection, when it is not one chunk). */
class DyingJournal extends FlushJournal {
  constructor(...args: ConstructorParameters<typeof FlushJournal>) {
    super(...args);
  }
  override async write(content: FlushContent): Promise<Journal> {
    await super.write(content);
    throw new Crash('died after writing the journal');
  }
}

/** A slot whose holder dies after beginning a flush. */
class DyingSlot extends WriterSlot {
  constructor(...args: ConstructorParameters<typeof WriterSlot>) {
    super(...args);
  }
  override async begin(journal: Journal, completing?: string): Promise<FlushId | undefined> {
    await super.begin(journal, completing);
    throw new Crash('died after beginning the flush');
  }
}

/** A writer that dies once its flush is complete: at once, as its timer or a next flush would complete it. */
class DyingFlushes extends KeyedFlushes {
  constructor(...args: ConstructorParameters<typeof KeyedFlushes>) {
    super(...args);
  }
  override async write(content: FlushContent): Promise<FlushWritten> {
    await super.write(content);
    await this.completeApplied();
    throw new Crash('died after completing the flush');
  }
}

/**
 * How the dying member applies a flush, then dies: not at all; only the first half of its key documents'
 * statements, each whole (as an unordered command cut short leaves it), and none of its roll-ups'; or all.
 */
function dyingApply(step: Step, apply: GuardedApply, client: MongoClient, collections: FlowCollections): GuardedApply {
  return async (totals, flush) => {
    if (step === 'claim') throw new Crash('died after claiming');
    if (step === 'first statements of the apply') {
      const keys = flushStatements(totals).find((group) => group.collection === 'keys')!.statements;
      const first = keys.slice(0, Math.ceil(keys.length / 2));
      guard(first, flush);
      expect(await updateStatements(client, collections.keys, first, () => 1024)).toEqual([]);
      throw new Crash('died half way through the apply');
    }
    const upserts = await apply(totals, flush);
    if (step === 'apply') throw new Crash('died after applying');
    return upserts;
  };
}

export interface MemberOptions {
  leaseMs: number;
  /** How long a part held by another flush in flight waits for it (the flush timeout). */
  timeoutMs?: number;
  /** The step after which the member dies, if it does. */
  dying?: Step;
  /** Rows a journal chunk holds at most: fewer than a flush's keys puts its journal in the journal collection. */
  journalRowsPerChunk?: number;
  /** How long a flush applied whole waits for the next one to complete it. */
  completionWaitMs?: number;
  now?: () => number;
  onFlush?: (report: FlushReport) => void;
}

/** One member's writing pieces on its own client, as createService wires them. */
export function member(client: MongoClient, collections: FlowCollections, holder: string, options: MemberOptions) {
  const { leaseMs, timeoutMs = 30_000, dying, journalRowsPerChunk, completionWaitMs, now = Date.now, onFlush = () => {} } = options;
  const slot = dying === 'begin' ? new DyingSlot(collections.writers, holder, leaseMs, now) : new WriterSlot(collections.writers, holder, leaseMs, now);
  const Journal = dying === 'journal' ? DyingJournal : FlushJournal;
  const journal = new Journal(collections.journal, now, journalRowsPerChunk);
  let flushes!: KeyedFlushes;
  const groupCommit = { windowMs: 1, maxRecords: 10_000, pendingMaxRecords: 100_000, timeoutMs };
  const store = new FlowStore(client, collections, groupCommit, onFlush, (apply) => {
    const applying = dying ? dyingApply(dying, apply, client, collections) : apply;
    const Flushes = dying === 'complete' ? DyingFlushes : KeyedFlushes;
    flushes = new Flushes(client, collections.claims, collections.writers, journal, slot, applying, now, completionWaitMs);
    return flushes;
  });
  const janitor = new SlotJanitor(collections.writers, collections.claims, journal, flushes, {
    holder,
    leaseMs,
    ttlHours: 24,
    ready: () => true,
    onSweep: () => {},
    now,
  });
  return { store, janitor, flushes };
}

/** The request as one part over a fleet of one, as the router makes it. */
export function partOf(key: string, sent: FlowRecord[]): KeyedPart {
  const totals = new FlowTotals();
  totals.add(sent);
  return { claim: { ...requestClaim(undefined, key, sent), split: 'solo', part: 0 }, totals };
}

/** Every key's totals, and each roll-up's grand total per span: each must count every request once. */
export async function storedTotals(collections: FlowCollections) {
  const keys = new Map<string, [bigint, bigint]>();
  for (const d of await collections.keys.find({}, { useBigInt64: true }).toArray()) keys.set(d._id as string, [BigInt(d.bytes_tx as bigint), BigInt(d.bytes_rx as bigint)]);
  const rollups: Record<string, [bigint, bigint]> = {};
  for (const d of await collections.totals.rollups.find({}, { useBigInt64: true }).toArray()) {
    const name = `${d.rollup as string}/${d.hours as number}`;
    const [tx, rx] = rollups[name] ?? [0n, 0n];
    rollups[name] = [tx + BigInt(d.bytes_tx as bigint), rx + BigInt(d.bytes_rx as bigint)];
  }
  return { keys, rollups };
}

export function expectedTotals(requests: FlowRecord[][]) {
  const keys = new Map<string, [bigint, bigint]>();
  let tx = 0n;
  let rx = 0n;
  for (const r of requests.flat()) {
    const [t, x] = keys.get(flowKeyId(r)) ?? [0n, 0n];
    keys.set(flowKeyId(r), [t + BigInt(r.bytes_tx), x + BigInt(r.bytes_rx)]);
    tx += BigInt(r.bytes_tx);
    rx += BigInt(r.bytes_rx);
  }
  const rollups: Record<string, [bigint, bigint]> = {};
  // Nothing sent, no roll-up document.
  if (keys.size > 0) for (const rollup of ROLLUPS) for (const span of rollup.spans) rollups[`${rollup.name}/${span}`] = [tx, rx];
  return { keys, rollups };
}
