import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { flowKeyId } from '../../app/query/flows';
import { FlowCollections } from '../../app/storage/flowCollections';
import { PartOutcome } from '../../app/storage/flushContent';
import { expectedTotals, member, partOf, Step, STEPS, storedTotals } from '../support/keyedMember';
import { uniqueDatabase } from '../support/service';
import { StoreUnderTest, storesUnderTest } from '../support/storesUnderTest';

const HOUR = 420_000;
const REQUESTS = 4;
// Leases run on the test's clock: renewals (every third of it, on the real one) never come during a run.
const LEASE_MS = 3_600_000;

/** Request r: five records of a src app of its own, so what is stored shows how often each was applied. */
const request = (r: number): FlowRecord[] =>
  Array.from({ length: 5 }, (_, i) => ({ src_app: `req-${r}`, dest_app: `d${i}`, vpc_id: 'v', bytes_tx: 10 * r + i + 1, bytes_rx: 1, hour: HOUR }));

/** What the clients and the world do: a request sent to a member (which may die at a step of its flush), or time passing past the leases. */
type Action = { kind: 'send'; member: number; request: number; dies?: Step } | { kind: 'lapse' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), member: fc.integer({ min: 0, max: 1 }), request: fc.integer({ min: 0, max: REQUESTS - 1 }), dies: fc.option(fc.constantFrom(...STEPS), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lapse' as const) }) },
);


/**
 * A model of the writer slots and the flush journal: two members, four requests each with its key, and any
 * sequence of sends (to either member, each may die after any step of its flush and come back as a new
 * writer) and lapses of time past the leases (each live member's janitor then sweeps). After every action
 * no record is applied more than once; at the end, after the leases lapse and every request is sent again
 * until it is acknowledged, every request sent is applied exactly once, in every key document and roll-up.
 */
describe.each(storesUnderTest)('the keyed flush as a state machine, on %s', (_name, startStore) => {
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await startStore();
  });
  afterAll(() => store?.stop());

  it('never applies a request twice, and applies every one sent once in the end', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 2, maxLength: 8 }), async (actions) => {
        const database = uniqueDatabase();
        const clients: MongoClient[] = [];
        let clock = Date.UTC(2026, 11, 2);
        const now = () => clock;
        const incarnation = (dies?: Step) => {
          const client = new MongoClient(store.uri);
          clients.push(client);
          const collections = new FlowCollections(client.db(database), 'flows');
          return { client, ...member(client, collections, randomUUID(), { leaseMs: LEASE_MS, timeoutMs: 500, dying: dies, now }) };
        };
        const check = new FlowCollections((clients[clients.length] = new MongoClient(store.uri)).db(database), 'flows');
        try {
          await check.ensureIndexes();
          const members = [incarnation(), incarnation()];
          const sent = new Set<number>();
          const atMostOnce = async () => {
            const { keys } = await storedTotals(check);
            for (let r = 0; r < REQUESTS; r++) {
              for (const record of request(r)) {
                const [tx] = keys.get(flowKeyId(record)) ?? [0n];
                expect([0n, BigInt(record.bytes_tx)]).toContain(tx);
              }
            }
          };
          for (const a of actions) {
            if (a.kind === 'lapse') {
              clock += LEASE_MS + 1;
              for (const m of members) expect((await m.janitor.sweep()).error).toBeUndefined();
            } else {
              sent.add(a.request);
              const key = `key-${a.request}`;
              if (a.dies) {
                // This send goes through a writer that dies at the step; the member comes back as a new writer.
                const doomed = incarnation(a.dies);
                await doomed.store.ingestPart(partOf(key, request(a.request))).catch(() => {});
                await doomed.client.close(true);
              } else {
                // A flush past its timeout is the client's 503: it may still be applied, once.
                const outcome = await members[a.member].store.ingestPart(partOf(key, request(a.request))).catch(() => undefined);
                expect(['applied', 'done', 'pending', undefined]).toContain(outcome?.kind);
              }
            }
            await atMostOnce();
          }
          clock += LEASE_MS + 1;
          for (const m of members) expect((await m.janitor.sweep()).error).toBeUndefined();
          for (const r of sent) {
            let outcome: PartOutcome | undefined;
            for (let attempt = 0; attempt < 20 && outcome?.kind !== 'applied' && outcome?.kind !== 'done'; attempt++) {
              outcome = await members[0].store.ingestPart(partOf(`key-${r}`, request(r))).catch(() => undefined);
            }
            expect(['applied', 'done']).toContain(outcome?.kind);
          }
          expect(await storedTotals(check)).toEqual(expectedTotals([...sent].sort().map(request)));
          for (const m of members) await m.store.drain();
        } finally {
          await check.keys.db.dropDatabase().catch(() => {});
          await Promise.all(clients.map((c) => c.close(true)));
        }
      }),
      { numRuns: 12 },
    );
  });
});
