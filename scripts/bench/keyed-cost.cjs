// What an Idempotency-Key adds to a flush's client side, without a store (docs/exactly-once.md): the guard on
// every statement, the BSON of the guarded commands against the same unguarded, the journal (encoded and
// serialized) and the claims. One flush as agent-100-keyed makes them: 10 requests of 100 records over
// 2 src apps × 100 dest apps × 5 VPCs, one hour. CPU of this process per flush, median of 5 rounds, and bytes.
// COST_QUICK=1 runs each step a few times only: the suite's check that the script still runs.
//   npm run build && node scripts/bench/keyed-cost.cjs
const { randomUUID } = require('node:crypto');
const { BSON } = require('mongodb');
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
};

async function cpuPerCall(run, calls) {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await run();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / calls;
}

(async () => {
  ({ inline } = await journal.write({ unkeyed: new FlowTotals(), parts }));
  console.log(`one flush: ${flush.byKey.size} keys, ${parts.length} requests`);
  console.log(`bytes: commands ${bytes(commands(flushStatements(flush)))}, guarded ${bytes(commands(guarded()))}, journal ${bytes([slotUpdate()])}`);
  for (const [name, run] of Object.entries(variants)) {
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await cpuPerCall(run, CALLS));
    rounds.sort((a, b) => a - b);
    const median = rounds[Math.floor(ROUNDS / 2)];
    console.log(`${name.padEnd(34)} ${median.toFixed(0).padStart(6)} µs a flush (${rounds[0].toFixed(0)}–${rounds[ROUNDS - 1].toFixed(0)})`);
  }
})();
