// One measurement each: a POST workload, an idle server, a GET of a seeded hour. Each takes a running server
// ({ kind, url, pid, collection }) and the store it writes to ({ client, cpuSeconds? }).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { memoryMiB } from '../process-stats.mjs';
import { agentKeys } from './workload.mjs';
import { scrape, sample, histogramMean } from './prometheus.mjs';

const require = createRequire(import.meta.url);
const headers = { 'content-type': 'application/json' };
export const DATABASE = 'fas_bench';

async function waitUntil(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function peakRssMiB(pid) {
  return pid === undefined ? undefined : memoryMiB(pid, 'VmHWM');
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * POSTs of the given bodies for durationS seconds, flat out or held to requestsPerS; `keyed`: each with an
 * Idempotency-Key of its own, as an agent that retries safely sends it.
 */
export async function load(url, bodies, connections, durationS, requestsPerS, keyed = false) {
  // One counter shared by all connections, so concurrent requests carry different agents' reports (each
  // connection walking the list from the start would send the same src app at the same moment).
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: durationS,
    ...(requestsPerS === undefined ? {} : { overallRate: requestsPerS }),
    requests: [
      {
        method: 'POST',
        path: '/flows',
        headers,
        setupRequest: (req) => ({
          ...req,
          ...(keyed ? { headers: { ...headers, 'idempotency-key': randomUUID() } } : {}),
          body: bodies[next++ % bodies.length],
        }),
      },
    ],
  });
}

/**
 * One POST workload against one server: throughput, latency, the server's own CPU and flush figures, and
 * the store's CPU over the same interval. `options`: connections, recordsPerRequest, durationS, warmupS,
 * requestsPerS (paced) or undefined (flat out).
 */
export async function ingestScenario(server, store, name, bodies, options) {
  const { connections, recordsPerRequest, durationS, warmupS, requestsPerS, keyed } = options;
  // Requests cut off at the end of a run may still be flushing: their CPU belongs to that run.
  const flushed = () =>
    waitUntil(async () => sample(await scrape(server.url), 'fas_pending_records') === 0, 'pending records flushed', 60_000);
  if (warmupS > 0) {
    await load(server.url, bodies, connections, warmupS, requestsPerS, keyed);
    await flushed();
  }
  const before = await scrape(server.url);
  const storeBefore = store?.cpuSeconds?.();
  const result = await load(server.url, bodies, connections, durationS, requestsPerS, keyed);
  await flushed();
  const storeCpuS = store?.cpuSeconds ? store.cpuSeconds() - storeBefore : undefined;
  const after = await scrape(server.url);
  const flows = result['2xx'] * recordsPerRequest;
  const delta = (series) => sample(after, series) - sample(before, series);
  // CPU is divided by the flows the server handled, which include requests still in flight when the load
  // generator stopped counting: for a server answering in hundreds of milliseconds those are many.
  const handledFlows = delta('fas_http_request_duration_seconds_count{route="/flows",method="POST",status="200"}') * recordsPerRequest;
  const perFlow = (seconds) => (handledFlows > 0 && seconds !== undefined ? (seconds * 1e6) / handledFlows : undefined);
  const writes =
    delta('fas_mongodb_write_commands_total{command="update"}') + delta('fas_mongodb_write_commands_total{command="insert"}');
  const flushes = delta('fas_flush_records_count');
  // A --target run is a service too: only the ceiling has no store and no flushes.
  const ceiling = server.kind === 'ceiling';
  return {
    scenario: name,
    server: server.kind,
    connections,
    durationS: result.duration,
    requests: result['2xx'],
    non2xx: result.non2xx + result.errors,
    flowsPerS: flows / result.duration,
    requestsPerS: result['2xx'] / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuUsPerFlow: perFlow(delta('process_cpu_seconds_total')),
    // Kernel time is mostly loopback TCP: to the clients and, for the service, to MongoDB.
    cpuSystemUsPerFlow: perFlow(delta('process_cpu_system_seconds_total')),
    storeCpuUsPerFlow: ceiling ? undefined : perFlow(storeCpuS),
    writeCommandsPer1000Flows: ceiling || handledFlows === 0 ? undefined : (writes / handledFlows) * 1000,
    writeCommandsPerFlush: flushes > 0 ? writes / flushes : undefined,
    flushes: ceiling ? undefined : flushes,
    meanFlushRecords: histogramMean(before, after, 'fas_flush_records'),
    meanFlushKeys: histogramMean(before, after, 'fas_flush_keys'),
    // Per flow written: one per key, and one per roll-up document the keys fall in.
    upsertsPerFlow: ceiling ? undefined : delta('fas_flush_upserts_sum') / delta('fas_flush_records_sum'),
    keysPerFlow: ceiling ? undefined : delta('fas_flush_keys_sum') / delta('fas_flush_records_sum'),
    peakRssMiB: peakRssMiB(server.pid),
  };
}

/** CPU a server spends while nothing is asked of it (timers, heartbeats, metrics), per second of wall time. */
export async function idleScenario(server, settleS, seconds) {
  await sleep(settleS * 1000);
  const before = sample(await scrape(server.url), 'process_cpu_seconds_total');
  const started = performance.now();
  await sleep(seconds * 1000);
  const after = sample(await scrape(server.url), 'process_cpu_seconds_total');
  return { scenario: 'idle', server: server.kind, idleCpuMsPerS: ((after - before) * 1e6) / (performance.now() - started) };
}

/**
 * Fills hours with the agent key space, straight into the collections, shaped exactly as the service's
 * upserts shape them: each key's document (the key as _id, key fields, Int64 totals) and every roll-up
 * document its keys fall in, from the service's own flushStatements. Faster than posting them, and what is
 * measured is the read.
 */
export async function seed(collection, keys, hours, destApps) {
  const { FlowTotals } = require('../../dist/storage/flowTotals.js');
  const { flushStatements } = require('../../dist/storage/flushStatements.js');
  const { FlowCollections } = require('../../dist/storage/flowCollections.js');
  const collections = new FlowCollections(collection.db, collection.collectionName);
  const asDocument = ({ q, u }) => ({ _id: q._id, ...u.$setOnInsert, bytes_tx: u.$inc.bytes_tx, bytes_rx: u.$inc.bytes_rx });
  const insert = async (target, docs) => {
    for (let i = 0; i < docs.length; i += 5000) await target.insertMany(docs.slice(i, i + 5000), { ordered: false });
  };
  // A day's roll-up documents sum several hours: they are summed here, then inserted once.
  const rollups = new Map();
  for (const hour of hours) {
    const totals = new FlowTotals();
    totals.add(agentKeys(keys, hour, destApps));
    const [keyStatements, rollupStatements] = flushStatements(totals);
    await insert(collection, keyStatements.statements.map(asDocument));
    for (const statement of rollupStatements.statements) {
      const doc = rollups.get(statement.q._id);
      if (!doc) rollups.set(statement.q._id, asDocument(statement));
      else {
        doc.bytes_tx += statement.u.$inc.bytes_tx;
        doc.bytes_rx += statement.u.$inc.bytes_rx;
      }
    }
  }
  await insert(collections.totals.rollups, [...rollups.values()]);
}

export async function timedMs(read, times) {
  const ms = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await read();
    ms.push(performance.now() - started);
  }
  return ms;
}

/**
 * The store's own floor for a read: the driver alone running the service's query of the hour, and reading
 * the whole collection (only that hour) with no filter, sort or projection.
 */
async function driverReadFloor(collection, hour, times) {
  const { hourTotalsQuery } = require('../../dist/reads/hourTotalsJson.js');
  const { filter, projection, sort } = hourTotalsQuery(hour);
  return {
    driverQueryP50Ms: median(await timedMs(() => collection.find(filter, { projection, sort, useBigInt64: true }).toArray(), times)),
    driverFindAllP50Ms: median(await timedMs(() => collection.find({}).toArray(), times)),
  };
}

/**
 * GET of one seeded hour, sequentially, a few times: time to the last byte, the response size and the
 * store's CPU per GET; then the driver-alone floor of the same hour.
 */
export async function readScenario(server, store, hour, keys, times) {
  const collection = store.client.db(DATABASE).collection(server.collection);
  await seed(collection, keys, [hour]);
  let text = '';
  const storeBefore = store.cpuSeconds?.();
  // To the last byte; parsing the answer is the client's work, left out.
  const latencies = await timedMs(async () => {
    const res = await fetch(`${server.url}/flows?hour=${hour}`);
    text = await res.text();
    if (!res.ok) throw new Error(`bench: GET hour ${hour} answered ${res.status}: ${text.slice(0, 200)}`);
  }, times);
  const storeCpuS = store.cpuSeconds ? store.cpuSeconds() - storeBefore : undefined;
  return {
    scenario: `GET hour of ${keys} keys`,
    server: server.kind,
    keys,
    rows: JSON.parse(text).length,
    bytes: text.length,
    requests: times,
    latencyP50Ms: median(latencies),
    latencyMaxMs: Math.max(...latencies),
    peakRssMiB: peakRssMiB(server.pid),
    storeCpuMsPerGet: storeCpuS === undefined ? undefined : (storeCpuS * 1000) / times,
    ...(await driverReadFloor(collection, hour, times)),
  };
}
