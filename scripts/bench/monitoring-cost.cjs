// The client CPU cost of the driver's command monitoring (monitorCommands: true, which the service turns on
// to count write commands): 50-op unordered bulk writes against an empty collection, with and without.
//   node scripts/bench/monitoring-cost.cjs mongodb://127.0.0.1:PORT/
const { MongoClient, Long } = require('mongodb');

async function measure(uri, monitor) {
  const client = new MongoClient(uri, { monitorCommands: monitor });
  let events = 0;
  client.on('commandStarted', (e) => {
    if (e.commandName === 'update') events++;
  });
  const collection = client.db('fas_monitoring_cost').collection('empty');
  // Updates without upsert on an empty collection: the server's side is as cheap as it gets.
  const ops = Array.from({ length: 50 }, (_, i) => ({
    updateOne: {
      filter: { bucket: i % 16, hour: 1, src_app: 'a', dest_app: `d${i}`, vpc_id: 'v' },
      update: { $inc: { bytes_tx: Long.fromNumber(1), bytes_rx: Long.fromNumber(2) } },
    },
  }));
  for (let i = 0; i < 200; i++) await collection.bulkWrite(ops, { ordered: false });
  const n = 1500;
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) await collection.bulkWrite(ops, { ordered: false });
  const used = process.cpuUsage(started);
  await client.close();
  return { monitor, cpuUsPerBulkWrite: (used.user + used.system) / n, events };
}

(async () => {
  const uri = process.argv[2] ?? process.env.MONGODB_URI;
  if (!uri) throw new Error('usage: node scripts/bench/monitoring-cost.cjs MONGODB_URI');
  for (let round = 0; round < 2; round++) {
    for (const monitor of [false, true]) console.log(JSON.stringify({ round, ...(await measure(uri, monitor)) }));
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
