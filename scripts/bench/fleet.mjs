// A fleet on one machine: N members of the built service over one collection, agents posting to them in
// turn as a Kubernetes Service spreads them, at a paced rate. Run with routing on (the members route each key
// to its owner) and off (each writes what it receives), and one member alone at the same rate, so the hop's
// cost and what it saves MongoDB stand side by side. Every figure comes from the members' own /metrics and
// /proc, and every total is checked against what was acknowledged.
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../free-port.mjs';
import { processCpuSeconds } from '../process-stats.mjs';
import { spawnServer } from '../spawn-server.mjs';
import { histogramMean, sample, scrape } from './prometheus.mjs';
import { agentKeys } from './workload.mjs';

const RECORDS_PER_REQUEST = 100;

/** Starts `members` services; with routing, each knows the others (PEERS, PEER_URL, HOP_PORT). */
async function startMembers(root, env, members, routing, nodeFlags) {
  const hopPorts = await Promise.all(Array.from({ length: members }, () => freePort()));
  const peers = hopPorts.map((port) => `http://127.0.0.1:${port}`);
  return Promise.all(
    hopPorts.map(async (hopPort, i) => {
      const fleet = routing ? { PEERS: peers.join(','), PEER_URL: peers[i], HOP_PORT: String(hopPort) } : {};
      const { child, url } = await spawnServer([...nodeFlags, join(root, 'dist/index.js')], { ...env, ...fleet }, '/readyz');
      return { url, pid: child.pid, child };
    }),
  );
}

/**
 * Posts `requestsPerS` requests a second for `seconds`, in turn to each URL, open loop: a request is sent on
 * time whether or not earlier ones were answered. Resolves with each answer's status and latency.
 */
async function pacedLoad(urls, bodies, requestsPerS, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const answers = [];
  const inFlight = [];
  const started = performance.now();
  const total = Math.round(requestsPerS * seconds);
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / requestsPerS;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const url = new URL('/flows', urls[n % urls.length]);
    const body = bodies[n % bodies.length];
    const sent = performance.now();
    inFlight.push(
      new Promise((resolve) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - sent, body: n % bodies.length }));
        });
        req.on('error', () => resolve({ status: 0, ms: performance.now() - sent, body: n % bodies.length }));
        req.end(body);
      }).then((a) => answers.push(a)),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { answers, seconds: (performance.now() - started) / 1000 };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Sums per key of the acknowledged posts (far below 2^53). */
function acknowledgedTotals(keys, hour, answers) {
  const sets = [];
  const records = agentKeys(keys, hour);
  for (let i = 0; i < records.length; i += RECORDS_PER_REQUEST) sets.push(records.slice(i, i + RECORDS_PER_REQUEST));
  const totals = new Map();
  for (const a of answers.filter((x) => x.status === 200)) {
    for (const r of sets[a.body]) {
      const key = `${r.src_app}|${r.dest_app}|${r.vpc_id}`;
      const [tx, rx] = totals.get(key) ?? [0, 0];
      totals.set(key, [tx + r.bytes_tx, rx + r.bytes_rx]);
    }
  }
  return totals;
}

async function storedTotals(collection, hour) {
  const totals = new Map();
  for await (const d of collection.find({ hour })) totals.set(`${d.src_app}|${d.dest_app}|${d.vpc_id}`, [Number(d.bytes_tx), Number(d.bytes_rx)]);
  return totals;
}

const sameTotals = (a, b) => a.size === b.size && [...a].every(([k, [tx, rx]]) => b.get(k)?.[0] === tx && b.get(k)?.[1] === rx);

/**
 * One configuration: `members` members (routing on or off), paced load for `seconds` after `warmupS`, on a
 * fresh collection. `options`: root, env (the service's), store (its label), collection (a function of a
 * name), keys, hour, bodiesAt (a function of an hour), requestsPerS, seconds, warmupS, windowMs.
 */
export async function fleetScenario(name, members, routing, options) {
  const { root, env, keys, hour, bodiesAt, requestsPerS, seconds, warmupS, windowMs } = options;
  const collectionName = `bench_fleet_${Date.now()}`;
  const memberEnv = { ...env, MONGODB_COLLECTION: collectionName, FLUSH_WINDOW_MS: String(windowMs), HOP_WINDOW_MS: String(options.hopWindowMs) };
  const servers = await startMembers(root, memberEnv, members, routing, options.nodeFlags ?? []);
  const urls = servers.map((s) => s.url);
  try {
    // The warm-up writes the hour before, so the totals checked are the measured run's alone.
    if (warmupS > 0) await pacedLoad(urls, bodiesAt(hour - 1), requestsPerS, warmupS);
    const before = await Promise.all(urls.map(scrape));
    const cpuBefore = servers.map((s) => processCpuSeconds(s.pid));
    const { answers, seconds: elapsed } = await pacedLoad(urls, bodiesAt(hour), requestsPerS, seconds);
    await sleep(2 * windowMs + 500);
    const cpuS = servers.reduce((sum, s, i) => sum + processCpuSeconds(s.pid) - cpuBefore[i], 0);
    const after = await Promise.all(urls.map(scrape));
    const delta = (series) => after.reduce((sum, text, i) => sum + sample(text, series) - sample(before[i], series), 0);
    const flows = delta('fas_flows_ingested_total');
    const upserts = delta('fas_flush_keys_sum');
    const flushes = delta('fas_flush_keys_count');
    const latencies = answers.filter((a) => a.status === 200).map((a) => a.ms).sort((a, b) => a - b);
    const exact = sameTotals(acknowledgedTotals(keys, hour, answers), await storedTotals(options.collection(collectionName), hour));
    return {
      scenario: name,
      server: 'service',
      store: options.store,
      keys,
      members,
      routing,
      windowMs,
      hopWindowMs: routing ? options.hopWindowMs : undefined,
      flowsPerS: (latencies.length * RECORDS_PER_REQUEST) / elapsed,
      non2xx: answers.length - latencies.length,
      non2xxStatuses: [...new Set(answers.filter((a) => a.status !== 200).map((a) => a.status))],
      upsertsPerFlow: upserts / flows,
      upsertsPerKeyPerWindow: flushes > 0 ? upserts / flushes / keys : undefined,
      // Each member's mean flush, as a share of the key space: about 1/N when each key has one writer.
      flushShare: after.map((text, i) => (histogramMean(before[i], text, 'fas_flush_keys') ?? 0) / keys),
      cpuUsPerFlow: (cpuS * 1e6) / flows,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP99Ms: percentile(latencies, 0.99),
      forwardedRecords: delta('fas_hop_forwarded_records_total{outcome="acknowledged"}'),
      exact,
    };
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => new Promise((resolve) => (s.child.exitCode === null ? s.child.once('exit', resolve) : resolve()))));
    await options.collection(collectionName).drop().catch(() => {});
  }
}
