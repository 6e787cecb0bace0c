#!/usr/bin/env node
// Hostile bodies against the built service (node dist/index.js, a child on a loopback port and a database of
// its own): --clients clients POST, back to back for --seconds, the 5 KB gzip body of 2.6 million nested
// brackets (issue 17), while /healthz is probed every 50 ms from a thread of its own and the child's peak
// RSS is read. First, for scale in the same run, the same probes with no load at all. Prints one JSON object:
// the idle floor, the hostile run, and each figure's ratio to its target (at most 1 meets it) and to idle.
//
//   npm run build && MONGODB_URI=mongodb://… node scripts/hostile-bodies.mjs [--seconds 60] [--clients 16]
//     [--node-flag=--max-old-space-size=256]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { spawnServer } from './spawn-server.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '16' },
    'idle-seconds': { type: 'string', default: '5' },
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});
const uri = process.env.MONGODB_URI;
if (!uri) {
  console.error('hostile-bodies: set MONGODB_URI');
  process.exit(2);
}
const TARGETS = { peakRssMiB: 300, healthzP99Ms: 100, hostileMedianMs: 50 };
const DEPTH = 2_621_430;
const body = gzipSync(Buffer.from('['.repeat(DEPTH) + ']'.repeat(DEPTH)), { level: 9 });

const quantile = (values, q) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
};
const status = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/**
 * /healthz every 50 ms for `ms`, from a thread of its own so the load generator's busy event loop never
 * delays it: its latency is how long a request waits for the service's event loop.
 */
function probe(url, ms) {
  const worker = new Worker(
    `const { parentPort, workerData: { url, ms } } = require('node:worker_threads');
    (async () => {
      const latencies = [];
      let failures = 0;
      for (const end = Date.now() + ms; Date.now() < end; ) {
        const started = performance.now();
        const res = await fetch(url + '/healthz', { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        await res?.arrayBuffer().catch(() => {});
        if (res?.status === 200) latencies.push(performance.now() - started);
        else failures++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      parentPort.postMessage({ latencies, failures });
    })();`,
    { eval: true, workerData: { url, ms } },
  );
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', ({ latencies, failures }) =>
      resolve({
        probes: latencies.length + failures,
        failures,
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
        maxMs: quantile(latencies, 1),
      }),
    );
  });
}

async function hostileClient(url, running, results) {
  while (running()) {
    const started = performance.now();
    const res = await fetch(`${url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body,
    }).catch(() => undefined);
    const text = await res?.text().catch(() => '');
    results.push({ ms: performance.now() - started, status: res?.status ?? 0, error: text && JSON.parse(text).error });
  }
}

const entry = join(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
const env = {
  PATH: process.env.PATH,
  MONGODB_URI: uri,
  MONGODB_DATABASE: `fas_hostile_${process.pid}`,
  LOG_LEVEL: 'warn',
  SHUTDOWN_DELAY_MS: '0',
};
const { child, url } = await spawnServer([...args['node-flag'], entry], env, '/readyz');
let exit;
child.on('exit', (code, signal) => (exit = { code, signal }));
try {
  const idle = { healthz: await probe(url, Number(args['idle-seconds']) * 1000), rssMiB: Math.round(status(child.pid, 'VmRSS')) };

  const end = Date.now() + Number(args.seconds) * 1000;
  const running = () => Date.now() < end && exit === undefined;
  const results = [];
  const [healthz] = await Promise.all([
    probe(url, Number(args.seconds) * 1000),
    ...Array.from({ length: Number(args.clients) }, () => hostileClient(url, running, results)),
  ]);
  const peakRssMiB = exit ? undefined : Math.round(status(child.pid, 'VmHWM'));
  const byStatus = {};
  for (const r of results) byStatus[`${r.status} ${r.error ?? ''}`.trim()] = (byStatus[`${r.status} ${r.error ?? ''}`.trim()] ?? 0) + 1;
  const latencies = results.map((r) => r.ms);
  const hostile = {
    bodyBytes: body.length,
    clients: Number(args.clients),
    seconds: Number(args.seconds),
    requests: results.length,
    byStatus,
    medianMs: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
  console.log(
    JSON.stringify(
      {
        nodeFlags: args['node-flag'],
        crashed: exit ?? false,
        idle,
        hostile,
        healthz,
        peakRssMiB,
        ratioToTarget: {
          peakRssMiB: peakRssMiB && Math.round((peakRssMiB / TARGETS.peakRssMiB) * 100) / 100,
          healthzP99Ms: healthz.p99Ms && Math.round((healthz.p99Ms / TARGETS.healthzP99Ms) * 100) / 100,
          hostileMedianMs: hostile.medianMs && Math.round((hostile.medianMs / TARGETS.hostileMedianMs) * 100) / 100,
        },
        ratioToIdle: {
          healthzP99: healthz.p99Ms && idle.healthz.p99Ms && Math.round((healthz.p99Ms / idle.healthz.p99Ms) * 10) / 10,
          rss: peakRssMiB && Math.round((peakRssMiB / idle.rssMiB) * 100) / 100,
        },
      },
      null,
      1,
    ),
  );
} finally {
  if (exit === undefined) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
