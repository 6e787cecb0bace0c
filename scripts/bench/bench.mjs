#!/usr/bin/env node
// npm run bench [-- --quick] [--json FILE] [--store NAME] [--keys N] [--duration S] [--warmup S] [--windows 0,2,5,10,20] [--target URL]
//
// Runs the built service (node dist/index.js) as a child process on loopback, and the ceiling server
// (scripts/bench/ceiling.mjs: the same app with storage removed) in the same run, flat out and held to the
// service's request rate. Without MONGODB_URI it starts its own stores (stores.mjs): the small key space on
// FerretDB, the 50,000 keys on mongo-java-server; with it, both key spaces run there. Every scenario
// gets a fresh server process and collection, so CPU time and peak RSS belong to that scenario alone.
// --target URL measures an already running service instead (its CPU from /metrics; no RSS, no ceiling).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from '../spawn-server.mjs';
import { parseArgs } from './args.mjs';
import { fleetScenario } from './fleet.mjs';
import { growthScenario } from './growth.mjs';
import { rangeReadScenarios } from './rangeReads.mjs';
import { DATABASE, idleScenario, ingestScenario, load, readScenario } from './scenarios.mjs';
import { localStores, startStore } from './stores.mjs';
import { agentBodies, hotKeyBodies, batchBodies } from './workload.mjs';
import { printTable } from './table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const args = parseArgs(process.argv.slice(2));
// The current UTC hour: agents report it, and the service's accepted window of hours (MAX_FUTURE_HOURS) takes it.
const HOUR = Math.floor(Date.now() / 3_600_000);
// Reads over ranges start 8 hours into a UTC day, a month back, as a window ending at any hour but the last
// of a day does: the same plans every run (whole days read from day documents, the hours around them from
// hour documents). Their documents go straight into the collections, past any window of hours.
const RANGE_HOUR = HOUR - (HOUR % 24) - 31 * 24 + 8;

/** Which stores run, and the agent key spaces each one's ingest workloads use. */
function plan() {
  if (args.target) return [{ store: undefined, keys: [args.keys ?? (process.env.MONGODB_URI ? 50_000 : 50)] }];
  if (process.env.MONGODB_URI) return [{ store: 'uri', keys: args.keys ? [args.keys] : [50, 50_000] }];
  return args.stores.map((store) => ({ store, keys: [args.keys ?? localStores[store].keys] }));
}

/**
 * Whether --only lets a scenario run: its name, GET for the reads of one hour, ranges for reads over ranges.
 * growth and fleet run only when named: a million records take a while, a fleet takes the whole machine.
 */
const selected = (name) => (!args.only && name !== 'growth' && name !== 'fleet') || (args.only ?? []).includes(name);

/** The POST workloads at one key space; each runs on the ceiling, the service and the paced ceiling. */
function ingestWorkloads(keys) {
  const agent = agentBodies(keys, HOUR);
  return [
    ...args.connections.map((connections) => ({ name: 'agent-100', bodies: agent, recordsPerRequest: 100, connections })),
    // The same, every request with an Idempotency-Key: what exactly-once costs (docs/exactly-once.md).
    { name: 'agent-100-keyed', bodies: agent, recordsPerRequest: 100, connections: 16, keyed: true },
    { name: 'batch-1000', bodies: batchBodies(agent, 10), recordsPerRequest: 1000, connections: 16 },
    { name: 'hot-keys-100', bodies: hotKeyBodies(HOUR), recordsPerRequest: 100, connections: 16 },
  ].filter((w) => selected(w.name));
}

/** GETs of a seeded hour, once per store: the hour's key count. */
const readWorkloads = (store) => (!selected('GET') ? [] : args.quick ? [1_000] : (localStores[store.kind]?.readKeys ?? [1_000, 50_000]));

/**
 * Reads over ranges, on two data sets: a day of the agent key space, and a month (MAX_QUERY_HOURS's 744
 * hours) of a key space the store can hold, with 20 dest apps so that its src apps outnumber a top 10.
 */
function rangeDataSets(store) {
  if (args.quick) return [{ hours: 3, keys: 1_000 }, { hours: 48, keys: 100, destApps: 20, month: true }];
  const spec = localStores[store.kind];
  return [
    { hours: 24, keys: spec?.rangeKeys ?? 50_000 },
    { hours: 744, keys: spec?.monthKeys ?? 2_000, destApps: 20, month: true },
  ];
}

/** A server process of its own for one scenario: the service, or the ceiling. */
async function startServer(kind, mongoUri, collection) {
  const entry = kind === 'ceiling' ? join(root, 'scripts/bench/ceiling.mjs') : join(root, 'dist/index.js');
  const env = {
    ...process.env,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: DATABASE,
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

async function main() {
  const results = [];
  const stores = [];
  const started = Date.now();
  let collectionSeq = 0;

  /** Runs fn on a fresh server of `kind`, then stops it and drops its collection. */
  const withServer = async (kind, store, fn) => {
    if (args.target) return fn({ kind: 'target', url: args.target, pid: undefined });
    const collection = `bench_${Date.now()}_${collectionSeq++}`;
    const server = { ...(await startServer(kind, store.uri, collection)), kind, collection };
    try {
      return await fn(server);
    } finally {
      await server.stop();
      const { FlowCollections } = require('../../dist/storage/flowCollections.js');
      const collections = new FlowCollections(store.client.db(DATABASE), collection);
      for (const c of collections.all()) await c.drop().catch(() => {});
    }
  };
  const record = (store, keys) => (result) => {
    results.push({ store: store?.label ?? 'target', ...(keys === undefined ? {} : { keys }), ...result });
    process.stderr.write(`bench: ${result.scenario} on ${result.server}, ${store?.label ?? 'target'} done\n`);
  };

  /** The ceiling flat out, the service, then the ceiling held to the service's request rate. */
  const ingest = async (store, keys, workload) => {
    const save = record(store, keys);
    const options = { ...workload, durationS: args.durationS, warmupS: args.warmupS };
    const measure = (kind, requestsPerS) =>
      withServer(kind, store, (s) => ingestScenario(s, store, workload.name, workload.bodies, { ...options, requestsPerS }));
    if (args.target) return save(await measure('service'));
    save(await measure('ceiling'));
    // --rate holds the service to a request rate: workloads that differ in cost compare at the same rate.
    const service = await measure('service', args.rate);
    save(service);
    // A process idle between requests spends more CPU per request (cold caches, wake-ups, timers) than a
    // saturated one, so only the paced ceiling separates what storage adds from what a low rate adds.
    save({ ...(await measure('ceiling', Math.max(1, Math.round(service.requestsPerS)))), server: 'ceiling-paced' });
  };

  try {
    for (const [i, { store: kind, keys: keySpaces }] of plan().entries()) {
      const store = kind === undefined ? undefined : await startStore(kind, args.server);
      if (store) stores.push({ label: store.label, name: store.name });
      try {
        if (store?.warm) await warmUp(store, withServer, keySpaces[0]);
        if (i === 0 && !args.target && !args.windows && selected('idle')) {
          for (const kind of ['ceiling', 'service']) {
            record(store)(await withServer(kind, store, (s) => idleScenario(s, args.quick ? 1 : 2, args.quick ? 2 : 10)));
          }
        }
        for (const keys of keySpaces) {
          if (args.windows) {
            const agent = { bodies: agentBodies(keys, HOUR), recordsPerRequest: 100 };
            for (const w of args.windows) {
              args.flushWindowMs = w;
              const options = { ...agent, connections: 16, durationS: args.durationS, warmupS: args.warmupS };
              record(store, keys)(await withServer('service', store, (s) => ingestScenario(s, store, `agent-100 window=${w}ms`, agent.bodies, options)));
            }
            continue;
          }
          for (const workload of ingestWorkloads(keys)) await ingest(store, keys, workload);
        }
        if (selected('growth')) {
          const keys = args.keys ?? 50_000;
          // One --connections value sets the clients (1: one agent posting batch after batch); else 16.
          const connections = args.connections.length === 1 ? args.connections[0] : 16;
          const options = { records: args.records ?? 1_000_000, keys, connections, hour: HOUR, bodies: agentBodies(keys, HOUR) };
          const collection = (s) => store.client.db(DATABASE).collection(s.collection);
          record(store, keys)(await withServer('service', store, (s) => growthScenario(s, collection(s), options)));
        }
        if (selected('fleet') && store) {
          const keys = args.keys ?? 1_000;
          const members = args.members ?? 3;
          const options = {
            root,
            env: { ...process.env, MONGODB_URI: store.uri, MONGODB_DATABASE: DATABASE, SHUTDOWN_DELAY_MS: '0', LOG_LEVEL: 'warn' },
            store: store.label,
            collection: (name) => store.client.db(DATABASE).collection(name),
            keys,
            hour: HOUR,
            bodiesAt: (hour) => agentBodies(keys, hour),
            requestsPerS: args.rate ?? 300,
            seconds: args.durationS,
            warmupS: args.warmupS,
            windowMs: args.flushWindowMs ?? 1000,
            // Forwards wait a tenth of the owner's window: a few forwards per window, little added latency.
            hopWindowMs: Math.round((args.flushWindowMs ?? 1000) / 10),
            nodeFlags: args.nodeFlags,
          };
          for (const [name, count, routing] of [[`fleet of ${members}, routing`, members, true], [`fleet of ${members}, no routing`, members, false], ['one member alone', 1, false]]) {
            record(store, keys)(await fleetScenario(name, count, routing, options));
          }
        }
        // Reads need the collection itself to be filled, which a --target run cannot reach.
        for (const keys of store && !args.windows ? readWorkloads(store) : []) {
          record(store)(await withServer('service', store, (s) => readScenario(s, store, HOUR + keys, keys, args.quick ? 3 : 5)));
        }
        for (const dataSet of store && !args.windows && selected('ranges') ? rangeDataSets(store) : []) {
          // --quick reads its hour of 1,000 keys over several pages, as the full run's 50,000 keys are.
          const options = { ...dataSet, firstHour: RANGE_HOUR, times: args.quick ? 1 : 3, baseTimes: 1, pageRows: args.quick ? 400 : 1_000 };
          const reads = await withServer('service', store, (s) =>
            rangeReadScenarios(s, store.client.db(DATABASE).collection(s.collection), options),
          );
          reads.forEach(record(store));
        }
      } finally {
        await store?.stop();
      }
    }
  } finally {
    const report = {
      date: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      stores: args.target ? [{ label: 'target', name: `the target's` }] : stores,
      node: process.version,
      cpus: execFileSync('nproc', { encoding: 'utf8' }).trim(),
      durationS: args.durationS,
      warmupS: args.warmupS,
      flushWindowMs: args.windows ? 'per scenario' : (args.flushWindowMs ?? 'service default'),
      elapsedS: (Date.now() - started) / 1000,
      results,
    };
    printTable(report);
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  }
}

/**
 * A JVM compiles its hot code in its first seconds of load, on background threads whose CPU the store's
 * figures would count: the agent workload runs on a service unmeasured first.
 */
async function warmUp(store, withServer, keys) {
  const agent = agentBodies(keys, HOUR - 1);
  await withServer('service', store, (s) => load(s.url, agent, 16, args.storeWarmupS));
  process.stderr.write(`bench: ${store.label} warmed up for ${args.storeWarmupS} s\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
