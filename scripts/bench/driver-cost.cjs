// Client CPU the MongoDB driver spends per upsert, for the choices the flush makes: command monitoring on
// (the service counts write commands with it), Int64 values given as bigint rather than Long, and
// collection.bulkWrite (retryable) rather than a plain update command. Unordered 1,000-op writes of $inc
// updates without upsert to an empty collection, so the server's side is as cheap as it gets. Then the same
// 50-op bulk write back to back and with the process idle in between, as a service is between flushes when
// its MongoDB is slow: the CPU of the work itself grows after an idle gap (cold caches).
//   node scripts/bench/driver-cost.cjs mongodb://127.0.0.1:PORT/
const { MongoClient, Long } = require('mongodb');

const variants = [
  { name: 'bulkWrite, Long', monitor: false, int64: (n) => Long.fromNumber(n), command: false },
  { name: 'bulkWrite, Long, monitored', monitor: true, int64: (n) => Long.fromNumber(n), command: false },
  { name: 'bulkWrite, bigint, monitored', monitor: true, int64: BigInt, command: false },
  { name: 'update command, bigint, monitored', monitor: true, int64: BigInt, command: true },
];
const OPS = 1_000;
const { setTimeout: sleep } = require('node:timers/promises');

async function measure(uri, variant) {
  const client = new MongoClient(uri, { monitorCommands: variant.monitor });
  const db = client.db('fas_driver_cost');
  // Built anew for every write, as a flush builds its operations.
  const operations = () =>
    Array.from({ length: OPS }, (_, i) => ({
      filter: { bucket: i % 16, hour: 1, src_app: `app-${i % 100}`, dest_app: `app-${i}`, vpc_id: 'vpc-1' },
      update: { $inc: { bytes_tx: variant.int64(i), bytes_rx: variant.int64(2) } },
    }));
  const write = variant.command
    ? () => db.command({ update: 'empty', updates: operations().map((o) => ({ q: o.filter, u: o.update })), ordered: false })
    : () => db.collection('empty').bulkWrite(operations().map((updateOne) => ({ updateOne })), { ordered: false });
  for (let i = 0; i < 20; i++) await write();
  const n = 100;
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) await write();
  const used = process.cpuUsage(started);
  await client.close();
  return { variant: variant.name, cpuUsPerUpsert: Number(((used.user + used.system) / n / OPS).toFixed(2)) };
}

async function measureGap(uri, gapMs) {
  const client = new MongoClient(uri);
  const collection = client.db('fas_driver_cost').collection('empty');
  const operations = Array.from({ length: 50 }, (_, i) => ({
    updateOne: { filter: { bucket: i % 16, hour: 1, src_app: 'a', dest_app: `d${i}`, vpc_id: 'v' }, update: { $inc: { bytes_tx: 1n } } },
  }));
  for (let i = 0; i < 50; i++) await collection.bulkWrite(operations, { ordered: false });
  const n = 150;
  let waiting = { user: 0, system: 0 };
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await collection.bulkWrite(operations, { ordered: false });
    // The idle wait's own CPU (timer, wake-up) is measured and left out.
    const before = process.cpuUsage();
    if (gapMs > 0) await sleep(gapMs);
    const spent = process.cpuUsage(before);
    waiting = { user: waiting.user + spent.user, system: waiting.system + spent.system };
  }
  const used = process.cpuUsage(started);
  await client.close();
  const cpu = used.user + used.system - waiting.user - waiting.system;
  return { gapMs, cpuUsPer50OpBulkWrite: Math.round(cpu / n) };
}

(async () => {
  const uri = process.argv[2] ?? process.env.MONGODB_URI;
  if (!uri) throw new Error('usage: node scripts/bench/driver-cost.cjs MONGODB_URI');
  for (let round = 0; round < 3; round++) {
    for (const variant of variants) console.log(JSON.stringify({ round, ...(await measure(uri, variant)) }));
  }
  for (const gapMs of [0, 20, 70]) console.log(JSON.stringify(await measureGap(uri, gapMs)));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
