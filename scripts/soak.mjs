#!/usr/bin/env node
// Soak test of the built service (node dist/index.js, started here as a child on a loopback port and a
// database of its own): POSTs at a fixed rate with periodic GETs for a bounded time, sampling the child's
// RSS, its CPU time per request, and the latency of GET /healthz (a proxy for event-loop delay: the probe
// does no I/O). At the end every acknowledged record must be in MongoDB, exactly, no request may have
// failed, and neither RSS nor CPU per request may grow beyond noise. Both are the service's own: what the
// machine does besides (a busy CI runner) moves the probe's latency, reported but not judged.
//
//   MONGODB_URI=mongodb://… node scripts/soak.mjs [--seconds 600] [--rate 200] [--keys 200] [--records 10]
//   MONGODB_URI=mongodb://… node scripts/soak.mjs --peak [--seconds 15]   measure the peak request rate
//
// --rate is requests per second, each of --records records over --keys distinct keys (keep it in the
// hundreds on FerretDB, whose upserts scan the collection).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { memoryMiB, processCpuSeconds } from './process-stats.mjs';
import { spawnServer } from './spawn-server.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    rate: { type: 'string', default: '100' },
    keys: { type: 'string', default: '200' },
    records: { type: 'string', default: '10' },
    peak: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '16' },
  },
});
const seconds = Number(args.seconds ?? (args.peak ? 15 : 600));
const rate = Number(args.rate);
const keys = Number(args.keys);
const recordsPerRequest = Number(args.records);
const uri = process.env.MONGODB_URI;
if (!uri) {
  console.error('soak: set MONGODB_URI');
  process.exit(2);
}
const HOUR = 1;
const SAMPLE_MS = 5000;

async function startService() {
  const database = `fas_soak_${process.pid}_${Date.now()}`;
  const entry = join(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
  const env = { PATH: process.env.PATH, MONGODB_URI: uri, MONGODB_DATABASE: database, LOG_LEVEL: 'warn', SHUTDOWN_DELAY_MS: '0' };
  const { child, url } = await spawnServer([entry], env, '/readyz');
  return { child, url, database };
}

const rssMb = (pid) => Math.round(memoryMiB(pid, 'VmRSS') * 10) / 10;

const acknowledged = new Map(); // key index -> [bytes_tx, bytes_rx] summed over acknowledged records
const counts = { posts: 0, postErrors: 0, gets: 0, getErrors: 0, records: 0 };
let sequence = 0;

async function post(url) {
  const n = sequence++;
  const body = Array.from({ length: recordsPerRequest }, (_, i) => {
    const key = (n * recordsPerRequest + i) % keys;
    return { src_app: `soak-src-${key}`, dest_app: `soak-dest-${key % 7}`, vpc_id: 'vpc-soak', bytes_tx: 1 + (n % 997), bytes_rx: 2 + (n % 991), hour: HOUR };
  });
  try {
    const res = await fetch(`${url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`status ${res.status} ${text}`);
    counts.posts++;
    counts.records += body.length;
    for (const r of body) {
      const sums = acknowledged.get(r.src_app) ?? [0, 0];
      sums[0] += r.bytes_tx;
      sums[1] += r.bytes_rx;
      acknowledged.set(r.src_app, sums);
    }
  } catch (err) {
    if (counts.postErrors++ === 0) console.error(`soak: first failed POST: ${err.message}`);
  }
}

async function get(url) {
  try {
    const res = await fetch(`${url}/flows?hour=${HOUR}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    counts.gets++;
  } catch {
    counts.getErrors++;
  }
}

async function probeMs(url) {
  const started = performance.now();
  await (await fetch(`${url}/healthz`)).arrayBuffer();
  return performance.now() - started;
}

/** Closed loop: `concurrency` clients posting back to back; the rate they reach is the peak. */
async function peak(url) {
  const until = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < until) await post(url);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(args.concurrency) }, client));
  const elapsed = (performance.now() - started) / 1000;
  const perSecond = counts.posts / elapsed;
  console.log(JSON.stringify({ mode: 'peak', seconds: Math.round(elapsed), concurrency: Number(args.concurrency), requestsPerSecond: Math.round(perSecond), recordsPerSecond: Math.round(perSecond * recordsPerRequest), errors: counts.postErrors }));
  console.log(`soak: run the soak at about half of it: --rate ${Math.max(1, Math.round(perSecond / 2))}`);
}

/** Open loop at `rate` requests a second, a GET every second, a sample every SAMPLE_MS. */
async function soak(url, pid) {
  const samples = [];
  const inFlight = new Set();
  const track = (p) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  };
  const started = Date.now();
  let sent = 0;
  let lastGet = 0;
  let lastSample = started;
  let lastCpu = { seconds: processCpuSeconds(pid), requests: 0 };
  let probesSent = 0;
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    for (; sent < due; sent++) track(post(url));
    if (Date.now() - lastGet >= 1000) {
      lastGet = Date.now();
      track(get(url));
    }
    if (Date.now() - lastSample >= SAMPLE_MS) {
      lastSample = Date.now();
      const probes = [];
      for (let i = 0; i < 5; i++) probes.push(await probeMs(url));
      probesSent += probes.length;
      probes.sort((a, b) => a - b);
      const cpu = { seconds: processCpuSeconds(pid), requests: counts.posts + counts.postErrors + counts.gets + counts.getErrors + probesSent };
      const cpuMsPerRequest = ((cpu.seconds - lastCpu.seconds) * 1000) / Math.max(1, cpu.requests - lastCpu.requests);
      lastCpu = cpu;
      const sample = { t: Math.round((Date.now() - started) / 1000), rssMb: rssMb(pid), cpuMsPerRequest: Math.round(cpuMsPerRequest * 100) / 100, healthzMedianMs: Math.round(probes[2] * 10) / 10, healthzMaxMs: Math.round(probes[4] * 10) / 10, inFlight: inFlight.size, ...counts };
      samples.push(sample);
      console.log(JSON.stringify(sample));
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return samples;
}

// What counts as growth rather than noise, between the middle and the last third of the run (the first third
// is warm-up: the heap and connection pools fill, hot code is compiled). CPU per request moves with garbage
// collections, so both a relative and an absolute rise are needed to call it growth.
const RSS_NOISE_MB = 24;
const CPU_NOISE = { ratio: 1.5, ms: 0.5 };

function growth(samples) {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const middle = samples.slice(third, 2 * third);
  const last = samples.slice(2 * third);
  const mean = (list, field) => list.reduce((sum, s) => sum + s[field], 0) / Math.max(1, list.length);
  const rise = (field) => Math.round((mean(last, field) - mean(middle, field)) * 10) / 10;
  const cpu = { middle: mean(middle, 'cpuMsPerRequest'), last: mean(last, 'cpuMsPerRequest') };
  return {
    rssMb: rise('rssMb'),
    cpuMsPerRequest: rise('cpuMsPerRequest'),
    healthzMedianMs: rise('healthzMedianMs'),
    cpuGrew: cpu.last > CPU_NOISE.ratio * cpu.middle && cpu.last - cpu.middle > CPU_NOISE.ms,
  };
}

async function storedTotals(database) {
  // Bounded like every other step, so a MongoDB that stopped answering fails the soak instead of holding it.
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: 30_000 });
  try {
    const docs = await client.db(database).collection('flows_hourly').find({ hour: HOUR }, { maxTimeMS: 20_000 }).toArray();
    const totals = new Map();
    for (const d of docs) {
      const sums = totals.get(d.src_app) ?? [0, 0];
      sums[0] += Number(d.bytes_tx);
      sums[1] += Number(d.bytes_rx);
      totals.set(d.src_app, sums);
    }
    return totals;
  } finally {
    await client.close();
  }
}

const { child, url, database } = await startService();
// Stopped from outside (a test's timeout), the soak stops its service too rather than leave it running.
process.once('SIGTERM', () => {
  child.kill('SIGTERM');
  process.exit(1);
});
let failed = false;
try {
  if (args.peak) {
    await peak(url);
  } else {
    console.log(`soak: ${seconds} s at ${rate} requests/s of ${recordsPerRequest} records over ${keys} keys, GET every second, database ${database}, service ${url}`);
    const samples = await soak(url, child.pid);
    const stored = await storedTotals(database);
    const mismatched = [...new Set([...stored.keys(), ...acknowledged.keys()])].filter(
      (key) => JSON.stringify(stored.get(key)) !== JSON.stringify(acknowledged.get(key)),
    );
    const first = samples[0];
    const last = samples[samples.length - 1];
    const summary = {
      seconds,
      requestsPerSecond: Math.round((counts.posts / seconds) * 10) / 10,
      recordsAcknowledged: counts.records,
      posts: counts.posts,
      postErrors: counts.postErrors,
      gets: counts.gets,
      getErrors: counts.getErrors,
      rssMb: { first: first?.rssMb, last: last?.rssMb, max: Math.max(...samples.map((s) => s.rssMb)) },
      healthzMedianMs: { first: first?.healthzMedianMs, last: last?.healthzMedianMs, max: Math.max(...samples.map((s) => s.healthzMedianMs)) },
      healthzMaxMs: Math.max(...samples.map((s) => s.healthzMaxMs)),
      keysChecked: acknowledged.size,
      keysMismatched: mismatched.length,
    };
    const grew = growth(samples);
    console.log(JSON.stringify({ summary, growth: grew }));
    failed =
      counts.postErrors > 0 ||
      counts.getErrors > 0 ||
      mismatched.length > 0 ||
      grew.rssMb > RSS_NOISE_MB ||
      grew.cpuGrew;
    console.log(failed ? 'soak: FAILED' : 'soak: ok — no errors, totals in MongoDB equal what was acknowledged');
  }
} finally {
  child.kill('SIGTERM');
}
process.exit(failed ? 1 : 0);
