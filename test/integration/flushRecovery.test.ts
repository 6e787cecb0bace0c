import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { FlushJournal } from '../../app/exactlyOnce/flushJournal';
import { KeyedFlushes } from '../../app/exactlyOnce/keyedFlush';
import { requestClaim } from '../../app/exactlyOnce/requestKey';
import { SlotJanitor } from '../../app/exactlyOnce/slotJanitor';
import { WriterSlot } from '../../app/exactlyOnce/writerSlot';
import { FlushId, guarded } from '../../app/query/exactlyOnce';
import { flowKeyId } from '../../app/query/flows';
import { ROLLUPS } from '../../app/query/rollups';
import { FlowCollections } from '../../app/storage/flowCollections';
import { FlowStore } from '../../app/storage/flowStore';
import { FlowTotals } from '../../app/storage/flowTotals';
import { FlushContent, GuardedApply, KeyedPart } from '../../app/storage/flushContent';
import { flushStatements } from '../../app/storage/flushStatements';
import { updateStatements } from '../../app/storage/updateCommand';
import { startMongoJavaServer } from '../support/disposableMongo';
import { mongoUri, uniqueDatabase } from '../support/service';

const HOUR = 410_000;
const LEASE_MS = 1000;

/** A member dies here: the step before it is done, nothing after it is. */
class Crash extends Error {}

type Step = 'journal' | 'begin' | 'claim' | 'first statements of the apply' | 'apply' | 'complete';
const STEPS: Step[] = ['journal', 'begin', 'claim', 'first statements of the apply', 'apply', 'complete'];

/** A journal whose writer dies once its content is written. */
class DyingJournal extends FlushJournal {
  constructor(...args: ConstructorParameters<typeof FlushJournal>) {
    super(...args);
  }
  override async write(content: FlushContent): Promise<string> {
    await super.write(content);
    throw new Crash('died after writing the journal');
  }
}

/** A slot whose holder dies after beginning, or after completing, a flush. */
class DyingSlot extends WriterSlot {
  constructor(
    private readonly after: 'begin' | 'complete',
    ...args: ConstructorParameters<typeof WriterSlot>
  ) {
    super(...args);
  }
  override async begin(journal: string): Promise<FlushId | undefined> {
    const flush = await super.begin(journal);
    if (this.after === 'begin') throw new Crash('died after beginning the flush');
    return flush;
  }
  override async complete(flush: FlushId, journal: string): Promise<boolean> {
    const done = await super.complete(flush, journal);
    if (this.after === 'complete') throw new Crash('died after completing the flush');
    return done;
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
      const first = keys.slice(0, Math.ceil(keys.length / 2)).map((s) => guarded(s, flush));
      expect(await updateStatements(client, collections.keys, first, () => 1024)).toEqual([]);
      throw new Crash('died half way through the apply');
    }
    const upserts = await apply(totals, flush);
    if (step === 'apply') throw new Crash('died after applying');
    return upserts;
  };
}

const groupCommit = { windowMs: 1, maxRecords: 10_000, pendingMaxRecords: 100_000, timeoutMs: 30_000 };

/** One member's writing pieces on its own client, as createService wires them. */
function member(client: MongoClient, collections: FlowCollections, holder: string, dying?: Step) {
  const slot =
    dying === 'begin' || dying === 'complete'
      ? new DyingSlot(dying, collections.writers, holder, LEASE_MS)
      : new WriterSlot(collections.writers, holder, LEASE_MS);
  const journal = dying === 'journal' ? new DyingJournal(collections.journal) : new FlushJournal(collections.journal);
  let flushes!: KeyedFlushes;
  const store = new FlowStore(client, collections, groupCommit, () => {}, (apply) => {
    flushes = new KeyedFlushes(client, collections.claims, collections.writers, journal, slot, dying ? dyingApply(dying, apply, client, collections) : apply);
    return flushes;
  });
  const janitor = new SlotJanitor(collections.writers, collections.claims, journal, flushes, {
    holder,
    leaseMs: LEASE_MS,
    ttlHours: 24,
    ready: () => true,
    onSweep: () => {},
  });
  return { store, janitor, slot };
}

function records(seed: number): FlowRecord[] {
  return Array.from({ length: 24 }, (_, i) => ({
    src_app: `src-${i % 5}`,
    dest_app: `dest-${i % 8}`,
    vpc_id: `vpc-${i % 2}`,
    bytes_tx: seed * 100 + i + 1,
    bytes_rx: seed * 300 + 3 * i,
    hour: HOUR,
  }));
}

/** The request as one part over a fleet of one, as the router makes it. */
function partOf(key: string, sent: FlowRecord[]): KeyedPart {
  const totals = new FlowTotals();
  totals.add(sent);
  return { claim: { ...requestClaim(undefined, key, sent), split: 'solo', part: 0 }, totals };
}

/** Every key's totals, and each roll-up's grand total per span: each must count every request once. */
async function storedTotals(collections: FlowCollections) {
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

function expectedTotals(requests: FlowRecord[][]) {
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
  for (const rollup of ROLLUPS) for (const span of rollup.spans) rollups[`${rollup.name}/${span}`] = [tx, rx];
  return { keys, rollups };
}

const stores: [string, () => Promise<{ uri: string; stop(): Promise<void> }>][] = [
  ['the suite’s store', async () => ({ uri: mongoUri(), stop: async () => {} })],
  ['mongo-java-server', startMongoJavaServer],
];

/**
 * A member dies at each step of a flush with an idempotency key; another member's janitor finds its lease
 * run out and completes the flush from its journal; the client's retry, sent to that member, applies nothing
 * twice. Every key document and every roll-up holds each request exactly once.
 */
describe.each(stores)('a flush left half done on %s', (_name, startStore) => {
  let store: { uri: string; stop(): Promise<void> };
  beforeAll(async () => {
    store = await startStore();
  });
  afterAll(() => store?.stop());

  it.each(STEPS)('is completed once when its member dies after the %s', async (step) => {
    const database = uniqueDatabase();
    const dyingClient = new MongoClient(store.uri);
    const survivorClient = new MongoClient(store.uri);
    try {
      const dyingCollections = new FlowCollections(dyingClient.db(database), 'flows');
      const collections = new FlowCollections(survivorClient.db(database), 'flows');
      await collections.ensureIndexes();
      const dying = member(dyingClient, dyingCollections, `dying-${randomUUID()}`, step);
      const survivor = member(survivorClient, collections, `survivor-${randomUUID()}`);

      // The survivor has written before: its own slot and flushes are in the way of nothing.
      const earlier = records(1);
      expect(await survivor.store.ingestPart(partOf(randomUUID(), earlier))).toEqual({ kind: 'applied' });

      const key = randomUUID();
      const sent = records(2);
      await expect(dying.store.ingestPart(partOf(key, sent))).rejects.toThrow('the write to MongoDB failed');
      // The member is gone: its connection closes, its lease runs out.
      await dyingClient.close(true);
      await sleep(LEASE_MS * 1.5);

      const sweep = await survivor.janitor.sweep();
      expect(sweep.error).toBeUndefined();
      // Before `begin` no flush was in flight: nothing to recover, nothing applied; after `complete`, nothing left.
      expect(sweep.recovered).toBe(step === 'journal' || step === 'complete' ? 0 : 1);

      // The client retries the request; the survivor applies it only if nothing of it was.
      const retried = await survivor.store.ingestPart(partOf(key, sent));
      expect(retried).toEqual({ kind: step === 'journal' ? 'applied' : 'done' });
      await survivor.store.ingestPart(partOf(key, sent));

      expect(await storedTotals(collections)).toEqual(expectedTotals([earlier, sent]));
      // The slot the dead member held is free again, nothing in flight.
      expect(await collections.writers.countDocuments({ inFlight: { $ne: null } })).toBe(0);
      await survivor.store.drain();
      await survivor.slot.release();
    } finally {
      await dyingClient.close(true);
      await survivorClient.db(database).dropDatabase();
      await survivorClient.close();
    }
  });
});
