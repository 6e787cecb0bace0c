// The load every store takes: concurrent agents, each sending one report (a JSON body of 100 records) and
// waiting until it is durably written before sending the next, as FAS's clients do.
import { median } from '../scenarios.mjs';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/**
 * `connections` agents submit bodies through `submit(body)` (resolves once durable): every body once, or
 * round and round for `durationS` seconds. Any failure fails the run: an unacknowledged report would leave
 * the bench's own sums unknowable. Returns how often each body was acknowledged, and the latencies.
 */
export async function runAgents(submit, bodies, { connections, durationS }) {
  const acks = new Uint32Array(bodies.length);
  const latenciesMs = [];
  const started = performance.now();
  const deadline = durationS === undefined ? Infinity : started + durationS * 1000;
  let next = 0;
  const agent = async () => {
    while (durationS === undefined ? next < bodies.length : performance.now() < deadline) {
      const i = next++ % bodies.length;
      const sent = performance.now();
      await submit(bodies[i]);
      latenciesMs.push(performance.now() - sent);
      acks[i] += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, agent));
  const seconds = (performance.now() - started) / 1000;
  latenciesMs.sort((a, b) => a - b);
  return { acks, seconds, requests: latenciesMs.length, p50Ms: median(latenciesMs), p99Ms: percentile(latenciesMs, 99) };
}

/**
 * One measured load: throughput and latency, with the CPU of the process doing the client's work, the CPU
 * of the store's processes and the bytes they wrote to storage over the same interval, each per flow.
 */
export async function measuredLoad(adapter, bodies, recordsPerBody, options) {
  const before = adapter.usage();
  const load = await runAgents((body) => adapter.ingest(body), bodies, options);
  const after = adapter.usage();
  const flows = load.requests * recordsPerBody;
  const perFlow = (figure, scale) => (before[figure] === undefined ? undefined : ((after[figure] - before[figure]) * scale) / flows);
  return {
    acks: load.acks,
    flows,
    seconds: load.seconds,
    flowsPerS: flows / load.seconds,
    latencyP50Ms: load.p50Ms,
    latencyP99Ms: load.p99Ms,
    clientCpuUsPerFlow: perFlow('clientCpuS', 1e6),
    storeCpuUsPerFlow: perFlow('storeCpuS', 1e6),
    storeWriteBytesPerFlow: perFlow('storeWriteBytes', 1),
  };
}
