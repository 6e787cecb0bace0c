#!/usr/bin/env node
// The arithmetic of docs/capacity.md, and a simulation that checks its one non-obvious formula: how many
// distinct keys a flush holds. Every input is an option; the defaults are the doc's.
//
//   node scripts/capacity-model.mjs [--agents 1000000] [--records-per-min 100] [--keys 50000]
//        [--us-per-flow 4.8] [--hpa-target 0.7] [--upserts-per-shard 20000] [--flush-ms 30] [--simulate]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000000' },
    'records-per-min': { type: 'string', default: '100' },
    keys: { type: 'string', default: '50000' },
    'us-per-flow': { type: 'string', default: '4.8' },
    'hpa-target': { type: 'string', default: '0.7' },
    'upserts-per-shard': { type: 'string', default: '20000' },
    'flush-ms': { type: 'string', default: '30' },
    simulate: { type: 'boolean', default: false },
  },
});
const num = (name) => Number(values[name]);
const flowsPerS = (num('agents') * num('records-per-min')) / 60;
const keys = num('keys');
const usPerFlow = num('us-per-flow');
const hpaTarget = num('hpa-target');
const perShard = num('upserts-per-shard');

/** Expected distinct keys among `records` records spread evenly at random over `keys` keys. */
const distinctKeys = (records, keys) => keys * -Math.expm1(-records / keys);

/** One pod of one core each, busy at most hpaTarget of it. */
const pods = Math.ceil((flowsPerS * usPerFlow) / 1e6 / hpaTarget);

/**
 * Upserts a second for the whole fleet: every pod flushes every windowS seconds, and a flush upserts each
 * distinct key it holds. Without affinity every pod sees all keys; with it, each pod owns keys / pods.
 */
function upsertsPerS(windowS, affinity) {
  const recordsPerFlush = (flowsPerS / pods) * windowS;
  const keysSeen = affinity ? keys / pods : keys;
  return (pods * distinctKeys(recordsPerFlush, keysSeen)) / windowS;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const rows = [];
for (const [design, windowS, affinity] of [
  ['today: any pod, window = one flush', num('flush-ms') / 1000, false],
  ['any pod, 1 s window', 1, false],
  ['any pod, 10 s window', 10, false],
  ['key affinity, one flush', num('flush-ms') / 1000, true],
  ['key affinity, 1 s window', 1, true],
  ['key affinity, 10 s window', 10, true],
  ['key affinity, 60 s window', 60, true],
]) {
  const upserts = upsertsPerS(windowS, affinity);
  rows.push({
    design,
    'records a flush a pod': fmt((flowsPerS / pods) * windowS),
    'upserts/s': fmt(upserts),
    'upserts per flow': (upserts / flowsPerS).toPrecision(2),
    [`shards at ${fmt(perShard)} upserts/s`]: Math.max(1, Math.ceil(upserts / perShard)),
    // The older, lower published per-shard figure (docs/capacity.md).
    [`at ${fmt(perShard / 2)}`]: Math.max(1, Math.ceil(upserts / (perShard / 2))),
  });
}
console.log(`${fmt(flowsPerS)} flows/s over ${fmt(keys)} keys an hour; ${usPerFlow} µs of CPU per flow -> ${pods} pods of one core at ${hpaTarget * 100} % CPU`);
console.table(rows);

/**
 * Checks distinctKeys against a simulation: `pods` pods, records of uniformly random keys dealt to pods at
 * random or by key, counting the distinct keys of each pod's flush.
 */
function simulate(simPods, recordsPerPod, simKeys, affinity) {
  let upserts = 0;
  const seen = Array.from({ length: simPods }, () => new Set());
  for (let i = 0; i < simPods * recordsPerPod; i++) {
    const key = Math.floor(Math.random() * simKeys);
    seen[affinity ? key % simPods : i % simPods].add(key);
  }
  for (const s of seen) upserts += s.size;
  return upserts;
}

if (values.simulate) {
  for (const [simPods, recordsPerPod, affinity] of [[12, 4_000, false], [12, 4_000, true], [12, 140_000, false], [12, 140_000, true]]) {
    const simulated = simulate(simPods, recordsPerPod, keys, affinity);
    const model = simPods * distinctKeys(recordsPerPod, affinity ? keys / simPods : keys);
    console.log(
      `simulated: ${simPods} pods x ${fmt(recordsPerPod)} records, ${affinity ? 'key affinity' : 'any pod'}: ` +
        `${fmt(simulated)} upserts, model ${fmt(model)} (${((simulated / model - 1) * 100).toFixed(2)} %)`,
    );
  }
}
