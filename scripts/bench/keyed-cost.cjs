// What an Idempotency-Key adds to a flush's client side, without a store (docs/exactly-once.md): the guard on
// every statement, the BSON of the guarded commands against the same unguarded, the journal (encoded and
// serialized) and the claims. One flush as agent-100-keyed makes them: 10 requests of 100 records over
// 2 src apps × 100 dest apps × 5 VPCs, one hour. CPU of this process per flush, median of 5 rounds, and bytes.
// Given a MongoDB-wire store, the whole flush through FlowStore as the service wires it, the same 10 requests
// without keys and with (each with its digest and claim): client CPU per flush, alternating, in rounds.
// COST_QUICK=1 runs each step a few times only: the suite's check that the script still runs.
//   npm run build && node scripts/bench/keyed-cost.cjs [mongodb://127.0.0.1:PORT/]
const { randomUUID } = require('node:crypto');
const { BSON, MongoClient } = require('mongodb');
const { FlowCollections } = require('../../dist/storage/flowCollections.js');
const { FlowStore } = require('../../dist/storage/flowStore.js');
const { KeyedFlushes } = require('../../dist/exactlyOnce/keyedFlush.js');
const { WriterSlot } = require('../../dist/exactlyOnce/writerSlot.js');
const { requestClaim } = require('../../dist/exactlyOnce/requestKey.js');
const { FlowTotals } = require('../../dist/storage/flowTotals.js');
const { flowKeyId } = require('../../dist/query/flows.js');
const { flushStatements } = require('../../dist/storage/flushStatements.js');
const { claimStatement, guard } = require('../../dist/query/exactlyOnce.js');
const { FlushJournal } = require('../../dist/exactlyOnce/flushJournal.js');

const FLUSH = { slot: 3, seq: 12_345 };
const [ROUNDS, CALLS] = process.env.COST_QUICK ? [1, 2] : [5, 200];
const parts = Array.from({ length: 10 }, (_, r) => {
  const totals = new FlowTotals();
  for (let i = 0; i < 100; i++) {
    const key = { hour: 490_000, src_app: `app-src-${r % 2}`, dest_app: `app-dest-${(r * 37 + i) % 100}`, vpc_id: `vpc-${i % 5}` };
    totals.addKey(flowKeyId(key), key, 123_456 + i, 654_321 + i);
    totals.records++;
  }
  return { claim: { id: `\n${randomUUID()}`, digest: 'x'.repeat(43), split: 'http://10.0.0.1:8080', part: 0, records: 100 }, totals };
});
const flush = new FlowTotals();
parts.forEach((p) => flush.merge(p.totals));

const commands = (groups) => groups.map(({ collection, statements }) => BSON.serialize({ update: collection, updates: statements, ordered: false }));
const bytes = (buffers) => buffers.reduce((n, b) => n + b.length, 0);
// A flush of 1,000 keys is one chunk: its journal travels in the update that begins the flush, not in a
// collection (the FlushJournal writes nothing, so it needs none).
const journal = new FlushJournal(undefined);
let inline;
const slotUpdate = () => BSON.serialize({ update: 'writers', updates: [{ q: { _id: FLUSH.slot }, u: { $set: { journal: inline } } }] });

const guarded = () => {
  const groups = flushStatements(flush);
  groups.forEach(({ statements }) => guard(statements, FLUSH));
  return groups;
};
const variants = {
  'statements': () => flushStatements(flush),
  'statements, guarded': guarded,
  'serialize the commands': ((groups) => () => commands(groups))(flushStatements(flush)),
  'serialize the commands, guarded': ((groups) => () => commands(groups))(guarded()),
  'journal: encode': () => journal.write({ unkeyed: new FlowTotals(), parts }),
  'journal: serialize': slotUpdate,
  'claims: build and serialize': () => BSON.serialize({ update: 'claims', updates: parts.map((p) => claimStatement(p.claim, FLUSH, new Date())) }),
  // `requests` is defined below, before any variant runs.
  'digests of the requests': () => requests.forEach((records) => requestClaim(undefined, 'key', records)),
};

/** One line of figures: the median µs a flush of the rounds, and their range. */
function summary(name, rounds) {
  const sorted = [...rounds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${name.padEnd(34)} ${median.toFixed(0).padStart(6)} µs a flush (${sorted[0].toFixed(0)}–${sorted[sorted.length - 1].toFixed(0)})`;
}

async function cpuPerCall(run, calls) {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await run();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / calls;
}

// The same 10 requests as records, parsed from JSON as the service receives them: flat strings, one shape.
const requests = parts.map(({ totals }) =>
  JSON.parse(JSON.stringify([...totals.byKey.values()].map(({ key, bytesTx, bytesRx }) => ({ ...key, bytes_tx: bytesTx, bytes_rx: bytesRx })))),
);

/** A FlowStore and its keyed writer over fresh collections, wired as app/service.ts wires them. */
async function storeOn(client) {
  const collections = new FlowCollections(client.db('fas_keyed_cost'), `flows_${Date.now()}`);
  await collections.ensureIndexes();
  const slot = new WriterSlot(collections.writers, randomUUID(), 60_000);
  const journal = new FlushJournal(collections.journal);
  let keyed;
  let flushed = 0;
  // One flush per round: the 10 requests arrive together, within the window, under the flush cap.
  const options = { windowMs: 1, maxRecords: 5_000, pendingMaxRecords: 100_000, timeoutMs: 30_000 };
  const store = new FlowStore(client, collections, options, () => flushed++, (apply) => {
    keyed = new KeyedFlushes(client, collections.claims, collections.writers, journal, slot, apply);
    return keyed;
  });
  const drop = () => Promise.all(collections.all().map((c) => c.drop().catch(() => {})));
  return { store, keyed, drop, flushes: () => flushed };
}

const flushes = {
  'without keys': (store) => Promise.all(requests.map((records) => store.ingest(records))),
  // As the router makes a request's part on a single member: its digest and claim, its records summed.
  'with keys': (store) =>
    Promise.all(
      requests.map((records) => {
        const claim = requestClaim(undefined, randomUUID(), records);
        const totals = new FlowTotals();
        totals.add(records);
        return store.ingestPart({ claim: { ...claim, split: 'self', part: 0 }, totals });
      }),
    ),
};

async function measureFlushes(uri) {
  const client = await new MongoClient(uri, { monitorCommands: true }).connect();
  const { store, keyed, drop, flushes: flushed } = await storeOn(client);
  const [warm, n, rounds] = process.env.COST_QUICK ? [1, 2, 1] : [20, 40, 9];
  const perFlush = Object.fromEntries(Object.keys(flushes).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, flush] of round % 2 ? Object.entries(flushes).reverse() : Object.entries(flushes)) {
      for (let i = 0; i < warm; i++) await flush(store);
      perFlush[name].push(await cpuPerCall(() => flush(store), n));
    }
  }
  // The last keyed flush completes, as at shutdown.
  await keyed.close();
  await drop();
  // Each call is one flush of the 10 requests, or the figures are not a flush's.
  console.log(`flushes: ${flushed()} for ${rounds * 2 * (warm + n)} calls`);
  await client.close();
  for (const [name, values] of Object.entries(perFlush)) console.log(summary(`flush ${name}`, values));
}

(async () => {
  ({ inline } = await journal.write({ unkeyed: new FlowTotals(), parts }));
  console.log(`one flush: ${flush.byKey.size} keys, ${parts.length} requests`);
  console.log(`bytes: commands ${bytes(commands(flushStatements(flush)))}, guarded ${bytes(commands(guarded()))}, journal ${bytes([slotUpdate()])}`);
  for (const [name, run] of Object.entries(variants)) {
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await cpuPerCall(run, CALLS));
    console.log(summary(name, rounds));
  }
  if (process.argv[2]) await measureFlushes(process.argv[2]);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
