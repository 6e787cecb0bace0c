// Client CPU the MongoDB driver spends per upsert, for the ways a flush could send its upserts: shaped as the
// service shapes them (incrementTotals of dist/query/flows.js: the key as _id, a bigint $inc, upsert), 1,600
// distinct keys a write (a flush of agent-100 at 16 connections), command monitoring on as in the service. The keys exist after the first round, so the server's side stays an indexed update.
// Then the service's command of 50 upserts back to back and with the process idle in between, as a service is
// between flushes when its MongoDB is slow: the CPU of the work itself grows after an idle gap (cold caches).
// Then what the roll-ups add to a flush: the key documents' command alone, the same with the roll-ups' sums and
// command beside it as the service sends them, and a command of one statement (what any command costs).
// COST_QUICK=1 writes a few times only: the suite's check that the script still runs.
//   npm run build && node scripts/bench/driver-cost.cjs mongodb://127.0.0.1:PORT/
const { setTimeout: sleep } = require('node:timers/promises');
const { MongoClient, Long } = require('mongodb');
const { flowKeyId, incrementMaxBytes, incrementTotals } = require('../../dist/query/flows.js');
const { updateStatements } = require('../../dist/storage/updateCommand.js');
const { flushStatements, keyStatements } = require('../../dist/storage/flushStatements.js');
const { FlowTotals } = require('../../dist/storage/flowTotals.js');
const { FlowCollections } = require('../../dist/storage/flowCollections.js');

const OPS = 1_600;
const QUICK = Boolean(process.env.COST_QUICK);
const keys = Array.from({ length: OPS }, (_, i) => ({ hour: 1, src_app: `app-src-${i % 16}`, dest_app: `app-dest-${i}`, vpc_id: `vpc-${i % 5}` }));
// Built anew for every write, as a flush builds its operations.
const statements = (int64 = BigInt, n = OPS) =>
  keys.slice(0, n).map((k, i) => {
    const statement = incrementTotals(flowKeyId(k), k, 1000 + i, 2000);
    statement.u.$inc = { bytes_tx: int64(1000 + i), bytes_rx: int64(2000) };
    return statement;
  });
const bulkOperations = (int64) => statements(int64).map((s) => ({ updateOne: { filter: s.q, update: s.u, upsert: true } }));

const variants = {
  // What the service sends: the driver's update operation through its retryable-write path, as bulkWrite
  // runs it for each batch (app/storage/updateCommand.ts).
  'updateStatements (retryable; the service)': (c, _db, client) => updateStatements(client, c, statements(), incrementMaxBytes),
  // The public bulk API over the same operation: a copy and a BSON size calculation of every statement.
  'collection.bulkWrite (retryable)': (c) => c.bulkWrite(bulkOperations(), { ordered: false }),
  'collection.bulkWrite, Long values (retryable)': (c) => c.bulkWrite(bulkOperations((n) => Long.fromNumber(n)), { ordered: false }),
  'initializeUnorderedBulkOp().find().upsert().updateOne() (retryable)': (c) => {
    const bulk = c.initializeUnorderedBulkOp();
    for (const { updateOne } of bulkOperations()) bulk.find(updateOne.filter).upsert().updateOne(updateOne.update);
    return bulk.execute();
  },
  // The same command through db.command(): never retried, and it carries no transaction number, so a retry
  // after a failover could apply an $inc twice.
  'db.command update (not retryable)': (c, db) => db.command({ update: c.collectionName, updates: statements(), ordered: false }),
};

/**
 * Client CPU per write, in µs: `write` runs 20 times to warm up, then 60 times measured, each given a fresh
 * key documents' collection, the database, the client, and every collection of the service beside it.
 */
async function cpuPerWrite(uri, write) {
  // Connected first: the legacy bulk API refuses a client that is not.
  const client = await new MongoClient(uri, { monitorCommands: true }).connect();
  const db = client.db('fas_driver_cost');
  const collections = new FlowCollections(db, `upserts_${Date.now()}`);
  for (let i = 0; i < (QUICK ? 1 : 20); i++) await write(collections.keys, db, client, collections);
  const n = QUICK ? 2 : 60;
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) await write(collections.keys, db, client, collections);
  const used = process.cpuUsage(started);
  // A write leaves most of them unmade.
  await Promise.all(collections.all().map((c) => c.drop().catch(() => {})));
  await client.close();
  return (used.user + used.system) / n;
}

async function measureGap(uri, gapMs) {
  const client = new MongoClient(uri, { monitorCommands: true });
  const collection = client.db('fas_driver_cost').collection(`gap_${Date.now()}`);
  const write = () => updateStatements(client, collection, statements(BigInt, 50), incrementMaxBytes);
  for (let i = 0; i < (QUICK ? 1 : 50); i++) await write();
  const n = QUICK ? 2 : 150;
  let waiting = { user: 0, system: 0 };
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await write();
    // The idle wait's own CPU (timer, wake-up) is measured and left out.
    const before = process.cpuUsage();
    if (gapMs > 0) await sleep(gapMs);
    const spent = process.cpuUsage(before);
    waiting = { user: waiting.user + spent.user, system: waiting.system + spent.system };
  }
  const used = process.cpuUsage(started);
  await collection.drop();
  await client.close();
  const cpu = used.user + used.system - waiting.user - waiting.system;
  return { gapMs, cpuUsPer50UpsertCommand: Math.round(cpu / n) };
}

// A flush as agent-100 makes at 16 connections: 1,600 keys of 4 src apps, 100 dest apps and 4 VPCs, whose
// roll-ups are 118 documents.
const flushTotals = new FlowTotals();
flushTotals.add(
  Array.from({ length: OPS }, (_, i) => {
    const [s, d, v] = [Math.floor(i / 400), Math.floor(i / 4) % 100, i % 4];
    return { hour: 1, src_app: `app-src-${s}`, dest_app: `app-dest-${d}`, vpc_id: `vpc-${v}`, bytes_tx: 1000, bytes_rx: 2000 };
  }),
);
// One key of it: a command of one statement.
const oneKey = new FlowTotals();
oneKey.add([{ hour: 1, src_app: 'app-src-0', dest_app: 'app-dest-0', vpc_id: 'vpc-0', bytes_tx: 1000, bytes_rx: 2000 }]);

const flushes = {
  'key documents alone': (keys, _db, client) => updateStatements(client, keys, keyStatements(flushTotals), incrementMaxBytes),
  'key documents and roll-ups at once (the service)': (_keys, _db, client, { totals }) =>
    Promise.all(
      flushStatements(flushTotals).map(({ collection, statements }) => updateStatements(client, totals[collection], statements, incrementMaxBytes)),
    ),
  'one statement': (keys, _db, client) => updateStatements(client, keys, keyStatements(oneKey), incrementMaxBytes),
};

(async () => {
  const uri = process.argv[2] ?? process.env.MONGODB_URI;
  if (!uri) throw new Error('usage: node scripts/bench/driver-cost.cjs MONGODB_URI');
  for (let round = 0; round < (QUICK ? 1 : 3); round++) {
    for (const [variant, write] of Object.entries(variants)) {
      console.log(JSON.stringify({ round, variant, cpuUsPerUpsert: Number(((await cpuPerWrite(uri, write)) / OPS).toFixed(2)) }));
    }
  }
  for (const gapMs of [0, 20, 70]) console.log(JSON.stringify(await measureGap(uri, gapMs)));
  for (let round = 0; round < (QUICK ? 1 : 9); round++) {
    for (const [flush, write] of Object.entries(flushes)) console.log(JSON.stringify({ round, flush, cpuUsPerFlush: Math.round(await cpuPerWrite(uri, write)) }));
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
