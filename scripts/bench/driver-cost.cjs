// Client CPU the MongoDB driver spends per upsert, for the choices the flush makes: command monitoring on
// (the service counts write commands with it), Int64 values given as bigint rather than Long, and
// collection.bulkWrite (retryable) rather than a plain update command. Unordered 1,000-op writes of $inc
// updates without upsert to an empty collection, so the server's side is as cheap as it gets.
//   node scripts/bench/driver-cost.cjs mongodb://127.0.0.1:PORT/
const { MongoClient, Long } = require('mongodb');

const variants = [
  { name: 'bulkWrite, Long', monitor: false, int64: (n) => Long.fromNumber(n), command: false },
  { name: 'bulkWrite, Long, monitored', monitor: true, int64: (n) => Long.fromNumber(n), command: false },
  { name: 'bulkWrite, bigint, monitored', monitor: true, int64: BigInt, command: false },
  { name: 'update command, bigint, monitored', monitor: true, int64: BigInt, command: true },
];
const OPS = 1_000;

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

(async () => {
  const uri = process.argv[2] ?? process.env.MONGODB_URI;
  if (!uri) throw new Error('usage: node scripts/bench/driver-cost.cjs MONGODB_URI');
  for (let round = 0; round < 3; round++) {
    for (const variant of variants) console.log(JSON.stringify({ round, ...(await measure(uri, variant)) }));
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
