#!/usr/bin/env node
// npm run bench [-- --quick] [--json FILE] [--keys N] [--duration S] [--warmup S] [--windows 0,2,5,10,20] [--target URL]
//
// Runs the built service (node dist/index.js) as a child process on loopback against MONGODB_URI, or against
// a FerretDB of its own (scripts/ferretdb.sh) when MONGODB_URI is unset, and the ceiling server
// (scripts/bench/ceiling.mjs: the same app with storage removed) in the same run, flat out and held to the
// service's request rate. Every scenario gets a fresh server process and collection, so CPU time and peak
// RSS belong to that scenario alone. --target URL measures an already running service instead (its CPU from
// /metrics; no peak RSS, no ceiling).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { spawnServer } from '../spawn-server.mjs';
import { parseArgs } from './args.mjs';
import { agentBodies, agentKeys, hotKeyBodies, batchBodies } from './workload.mjs';
import { scrape, sample, histogramMean } from './prometheus.mjs';
import { printTable } from './table.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = parseArgs(process.argv.slice(2));
const headers = { 'content-type': 'application/json' };

async function waitUntil(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`bench: ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The MongoDB to use, and how to stop it when it is ours. */
function startMongo() {
  if (process.env.MONGODB_URI) {
    return { uri: process.env.MONGODB_URI, server: args.server ?? 'MongoDB at MONGODB_URI', stop() {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fas-bench-ferretdb-'));
  const script = join(root, 'scripts/ferretdb.sh');
  const uri = execFileSync(script, ['start', dir], { encoding: 'utf8' }).trim();
  return {
    uri,
    server: 'FerretDB v1.24.2, SQLite backend (scripts/ferretdb.sh), same machine',
    stop() {
      execFileSync(script, ['stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A server process of its own for one scenario: the service, or the ceiling. */
async function startServer(kind, mongoUri, collection) {
  const entry = kind === 'ceiling' ? join(root, 'scripts/bench/ceiling.mjs') : join(root, 'dist/index.js');
  const env = {
    ...process.env,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: 'fas_bench',
    MONGODB_COLLECTION: collection,
    SHUTDOWN_DELAY_MS: '0',
    ...(args.flushWindowMs === undefined ? {} : { FLUSH_WINDOW_MS: String(args.flushWindowMs) }),
  };
  const { child, url } = await spawnServer([...args.nodeFlags, entry], env, kind === 'ceiling' ? '/metrics' : '/readyz');
  return {
    url,
    pid: child.pid,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function peakRssMiB(pid) {
  if (pid === undefined) return undefined;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function load(url, bodies, connections, durationS, requestsPerS) {
  // One counter shared by all connections, so concurrent requests carry different agents' reports (each
  // connection walking the list from the start would send the same src app at the same moment).
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: durationS,
    ...(requestsPerS === undefined ? {} : { overallRate: requestsPerS }),
    requests: [{ method: 'POST', path: '/flows', headers, setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
  });
}

/** One POST scenario against one server: throughput, latency, and the server's own CPU and flush figures. */
async function ingestScenario(server, name, bodies, recordsPerRequest, connections, requestsPerS) {
  // Requests cut off at the end of a run may still be flushing: their CPU belongs to that run.
  const flushed = () =>
    waitUntil(async () => sample(await scrape(server.url), 'fas_pending_records') === 0, 'pending records flushed', 60_000);
  if (args.warmupS > 0) {
    await load(server.url, bodies, connections, args.warmupS, requestsPerS);
    await flushed();
  }
  const before = await scrape(server.url);
  const result = await load(server.url, bodies, connections, args.durationS, requestsPerS);
  await flushed();
  const after = await scrape(server.url);
  const flows = result['2xx'] * recordsPerRequest;
  const delta = (series) => sample(after, series) - sample(before, series);
  // CPU is divided by the flows the server handled, which include requests still in flight when the load
  // generator stopped counting: for a server answering in hundreds of milliseconds those are many.
  const handledFlows = delta('fas_http_request_duration_seconds_count{route="/flows",method="POST",status="200"}') * recordsPerRequest;
  const cpuUs = delta('process_cpu_seconds_total') * 1e6;
  const writes =
    delta('fas_mongodb_write_commands_total{command="update"}') + delta('fas_mongodb_write_commands_total{command="insert"}');
  const flushes = delta('fas_flush_records_count');
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
    cpuUsPerFlow: handledFlows > 0 ? cpuUs / handledFlows : undefined,
    // Kernel time is mostly loopback TCP: to the clients and, for the service, to MongoDB.
    cpuSystemUsPerFlow: handledFlows > 0 ? (delta('process_cpu_system_seconds_total') * 1e6) / handledFlows : undefined,
    writeCommandsPer1000Flows: server.kind === 'ceiling' || handledFlows === 0 ? undefined : (writes / handledFlows) * 1000,
    writeCommandsPerFlush: flushes > 0 ? writes / flushes : undefined,
    flushes: server.kind === 'ceiling' ? undefined : flushes,
    meanFlushRecords: histogramMean(before, after, 'fas_flush_records'),
    meanFlushKeys: histogramMean(before, after, 'fas_flush_keys'),
    peakRssMiB: peakRssMiB(server.pid),
  };
}

/** CPU a server spends while nothing is asked of it (timers, heartbeats, metrics), per second of wall time. */
async function idleScenario(server, settleS, seconds) {
  await sleep(settleS * 1000);
  const before = sample(await scrape(server.url), 'process_cpu_seconds_total');
  const started = performance.now();
  await sleep(seconds * 1000);
  const after = sample(await scrape(server.url), 'process_cpu_seconds_total');
  return { scenario: 'idle', server: server.kind, idleCpuMsPerS: ((after - before) * 1e6) / (performance.now() - started) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The store's own floor for a read: the driver alone running the service's query of the hour, and reading
 * the whole collection (only that hour) with no filter, sort or projection.
 */
async function driverReadFloor(target, hour, times) {
  const { hourTotalsQuery } = require('../../dist/query/flows.js');
  const { filter, projection, sort } = hourTotalsQuery(hour);
  const timed = async (read) => {
    const ms = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      await read();
      ms.push(performance.now() - started);
    }
    return median(ms);
  };
  return {
    driverQueryP50Ms: await timed(() => target.find(filter, { projection, sort, useBigInt64: true }).toArray()),
    driverFindAllP50Ms: await timed(() => target.find({}).toArray()),
  };
}

/** GET of one hour, sequentially, a few times: time to the last byte and the response size. */
async function readScenario(server, name, hour, keys, times) {
  const latencies = [];
  let bytes = 0;
  let rows = 0;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const res = await fetch(`${server.url}/flows?hour=${hour}`);
    const text = await res.text();
    latencies.push(performance.now() - started);
    if (!res.ok) throw new Error(`bench: GET hour ${hour} answered ${res.status}: ${text.slice(0, 200)}`);
    bytes = text.length;
    rows = JSON.parse(text).length;
  }
  return {
    scenario: name,
    server: server.kind,
    keys,
    rows,
    bytes,
    requests: times,
    latencyP50Ms: median(latencies),
    latencyMaxMs: Math.max(...latencies),
    peakRssMiB: peakRssMiB(server.pid),
  };
}

/**
 * Fills an hour with `keys` documents straight into the collection, shaped exactly as the service's upserts
 * shape them (bucket, key fields, Int64 totals). Inserting is the only way to build a 50,000-key hour on
 * FerretDB, whose upserts scan the whole collection; what is measured is the read.
 */
async function seed(target, keys, hour) {
  const { Long } = require('mongodb');
  const { bucketOf, flowKeyText } = require('../../dist/query/flows.js');
  const docs = agentKeys(keys, hour).map((r) => ({
    bucket: bucketOf(flowKeyText(r)),
    hour: r.hour,
    src_app: r.src_app,
    dest_app: r.dest_app,
    vpc_id: r.vpc_id,
    bytes_tx: Long.fromNumber(r.bytes_tx),
    bytes_rx: Long.fromNumber(r.bytes_rx),
  }));
  for (let i = 0; i < docs.length; i += 5000) await target.insertMany(docs.slice(i, i + 5000), { ordered: false });
}

async function main() {
  const results = [];
  const started = Date.now();
  const mongo = args.target ? undefined : startMongo();
  let collectionSeq = 0;
  const server = async (kind) => {
    if (args.target) return { kind: 'target', url: args.target, pid: undefined, stop: async () => {} };
    const collection = `bench_${Date.now()}_${collectionSeq++}`;
    const s = await startServer(kind, mongo.uri, collection);
    return { ...s, kind, collection };
  };
  const run = async (kind, fn) => {
    const s = await server(kind);
    try {
      results.push(await fn(s));
      process.stderr.write(`bench: ${results.at(-1).scenario} on ${kind} done\n`);
    } finally {
      await s.stop();
    }
  };

  const hour = 500_000;
  const agent = agentBodies(args.keys, hour);
  const batch = batchBodies(agent, 10);
  const hot = hotKeyBodies(hour);
  try {
    if (args.windows) {
      for (const w of args.windows) {
        args.flushWindowMs = w;
        await run('service', (s) => ingestScenario(s, `agent-100 window=${w}ms`, agent, 100, 16));
      }
    } else {
      // Each workload: the ceiling flat out, the service, then the ceiling again held to the service's request
      // rate. A process that is idle between requests spends more CPU per request (cold caches, wake-ups,
      // timers) than one that is saturated, so only the paced ceiling separates what storage adds from that.
      const ingest = async (name, bodies, recordsPerRequest, connections) => {
        if (args.target) return run('service', (s) => ingestScenario(s, name, bodies, recordsPerRequest, connections));
        await run('ceiling', (s) => ingestScenario(s, name, bodies, recordsPerRequest, connections));
        await run('service', (s) => ingestScenario(s, name, bodies, recordsPerRequest, connections));
        const rate = Math.max(1, Math.round(results.at(-1).requestsPerS));
        await run('ceiling', async (s) => ({
          ...(await ingestScenario(s, name, bodies, recordsPerRequest, connections, rate)),
          server: 'ceiling-paced',
        }));
      };
      if (!args.target) {
        for (const kind of ['ceiling', 'service']) await run(kind, (s) => idleScenario(s, args.quick ? 1 : 2, args.quick ? 2 : 10));
      }
      for (const c of args.connections) await ingest('agent-100', agent, 100, c);
      await ingest('batch-1000', batch, 1000, 16);
      await ingest('hot-keys-100', hot, 100, 16);
      // Reads need the collection itself to be filled, which a --target run cannot reach.
      for (const keys of args.target ? [] : args.readKeys) {
        await run('service', async (s) => {
          const readHour = hour + keys;
          const times = args.quick ? 3 : 5;
          const { MongoClient } = require('mongodb');
          const client = new MongoClient(mongo.uri);
          try {
            const target = client.db('fas_bench').collection(s.collection);
            await seed(target, keys, readHour);
            return {
              ...(await readScenario(s, `GET hour of ${keys} keys`, readHour, keys, times)),
              ...(await driverReadFloor(target, readHour, times)),
            };
          } finally {
            await client.close();
          }
        });
      }
    }
  } finally {
    mongo?.stop();
  }
  const report = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    mongodb: args.target ? `the target's` : mongo.server,
    node: process.version,
    cpus: execFileSync('nproc', { encoding: 'utf8' }).trim(),
    keys: args.keys,
    durationS: args.durationS,
    warmupS: args.warmupS,
    flushWindowMs: args.windows ? 'per scenario' : (args.flushWindowMs ?? 'service default'),
    elapsedS: (Date.now() - started) / 1000,
    results,
  };
  printTable(report);
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
