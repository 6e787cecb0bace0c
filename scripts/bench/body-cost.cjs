// CPU per record of reading a POST's bytes into records, over one 100-record agent report: the path before
// hostile bodies were refused (raw-body's UTF-8 decoding with replacement, then @hapi/bourne's JSON.parse, as
// co-body runs them for koa-bodyparser) and the path now (the BatchScanner and the strict UTF-8 check over the
// bytes, then the same decoding and parse, the duplicate-key count), with the new steps alone. The
// difference of the first two is what a valid body pays for the checks.
//   npm run build && node scripts/bench/body-cost.cjs
const iconv = require('iconv-lite');
const { parse } = require('@hapi/bourne');
const { BatchScanner, findDuplicateKey } = require('../../dist/data/batchText.js');

const { isUtf8 } = require('node:buffer');

const variants = {
  'before: replacing UTF-8 decoder + bourne.parse': (bytes) => parse(iconv.decode(bytes, 'utf-8'), { protoAction: 'error' }),
  'now: BatchScanner + UTF-8 check + the same decoding and parse + findDuplicateKey': (bytes) => {
    const scanner = new BatchScanner(10_000);
    if (scanner.push(bytes) !== undefined || !isUtf8(bytes)) throw new Error('a valid body refused');
    const records = parse(iconv.decode(bytes, 'utf-8'), { protoAction: 'error' });
    if (findDuplicateKey(() => bytes, records.length, scanner.keys) !== undefined) throw new Error('a duplicate key in a valid body');
    return records;
  },
  'UTF-8 check alone': (bytes) => isUtf8(bytes),
  'BatchScanner alone': (bytes) => new BatchScanner(10_000).push(bytes),
};

(async () => {
  const { agentBodies } = await import('./workload.mjs');
  const text = agentBodies(50_000, 500_000)[7];
  const bytes = Buffer.from(text);
  const records = JSON.parse(text).length;
  const results = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, read] of Object.entries(variants)) {
      for (let i = 0; i < 2_000; i++) read(bytes, text);
      const n = 10_000;
      const started = process.cpuUsage();
      for (let i = 0; i < n; i++) read(bytes, text);
      const used = process.cpuUsage(started);
      const perRecord = (used.user + used.system) / (n * records);
      (results[name] ??= []).push(perRecord);
      console.log(JSON.stringify({ round, variant: name, cpuUsPerRecord: Number(perRecord.toFixed(3)) }));
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const [before, now] = Object.values(results).map(median);
  console.log(JSON.stringify({ extraCpuUsPerRecord: Number((now - before).toFixed(3)), before: Number(before.toFixed(3)) }));
})();
