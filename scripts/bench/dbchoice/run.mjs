#!/usr/bin/env node
// npm run bench:db [-- --quick] [--json FILE] [--store mongodb,postgres,timescaledb,influxdb] [--<store>-url URL] …
//
// The same job on each store (docs/db-choice.md): the bench's agent load at 50,000 keys an hour, a day of
// hours, the reads FAS answers, bytes on disk, and exact sums past 2^53 and 2^63. MongoDB is FAS itself over
// HTTP; PostgreSQL, TimescaleDB and InfluxDB are written to from this process through the service's own group
// commit. Every answer is checked against sums the bench computes itself. Without a URL a store is started
// here (mongo-java-server, scripts/postgres.sh, scripts/influxdb.sh); TimescaleDB needs its URL.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { agentBodies, agentKeys } from '../workload.mjs';
import { median, timedMs } from '../scenarios.mjs';
import { measuredLoad, runAgents } from './agents.mjs';
import { checkGroups, checkHour, checkTop, ExpectedSums } from './expected.mjs';
import { openGroupCommitFloor, openServiceFloor } from './floors.mjs';
import { openInfluxDB } from './influxdb.mjs';
import { openMongoDB } from './mongodb.mjs';
import { parseOptions } from './options.mjs';
import { openPostgres, rollUp } from './postgres.mjs';
import { probeExactSums } from './probe.mjs';
import { printReport } from './report.mjs';
import { rawWithAggregate, rollUpHypertable } from './timescaledb.mjs';

const options = parseOptions(process.argv.slice(2));
const HOUR = 500_000;
const DAY = { from: HOUR + 1, to: HOUR + options.hours };
const RECORDS_PER_REPORT = 100;
const TOP = 10;
const SRC = 'app-src-1';

/** The stores of this run, each a function opening it; the floors first. */
function plan() {
  const { urls, pids } = options;
  const stores = [openServiceFloor, openGroupCommitFloor];
  for (const store of options.stores) {
    if (store === 'mongodb') stores.push(() => openMongoDB({ url: urls.mongodb, pid: pids.mongodb }));
    if (store === 'postgres') stores.push(() => openPostgres({ url: urls.postgres, pid: pids.postgres, design: rollUp, label: 'PostgreSQL' }));
    if (store === 'timescaledb' && urls.timescaledb) {
      for (const [design, label] of [[rollUpHypertable, 'TimescaleDB roll-up'], [rawWithAggregate, 'TimescaleDB raw + aggregate']]) {
        stores.push(() => openPostgres({ url: urls.timescaledb, pid: pids.timescaledb, design, label, extension: 'timescaledb' }));
      }
    }
    if (store === 'influxdb') stores.push(() => openInfluxDB({ url: urls.influxdb, pid: pids.influxdb }));
  }
  return stores;
}

/** A report's records, as the bench sums them: the agent key space of one hour in reports of 100. */
function reportsOf(hour) {
  const records = agentKeys(options.keys, hour);
  return Array.from({ length: records.length / RECORDS_PER_REPORT }, (_, i) => records.slice(i * RECORDS_PER_REPORT, (i + 1) * RECORDS_PER_REPORT));
}

/**
 * A read timed `options.reads` times until its rows are in hand (the check of each answer untimed): p50,
 * longest, and the store's CPU per read.
 */
async function timedRead(adapter, name, read, check) {
  let rows;
  let storeCpuS = 0;
  const ms = [];
  for (let i = 0; i < options.reads; i++) {
    const before = adapter.usage();
    ms.push(...(await timedMs(async () => (rows = await read()), 1)));
    storeCpuS += adapter.usage().storeCpuS - before.storeCpuS;
    check(name, rows);
  }
  const storeCpuMsPerRead = Number.isNaN(storeCpuS) ? undefined : (storeCpuS * 1000) / options.reads;
  return { read: name, rows: rows.length, p50Ms: median(ms), maxMs: Math.max(...ms), storeCpuMsPerRead };
}

async function measureStore(adapter, bodies) {
  const expected = new ExpectedSums();
  const load = { connections: options.connections };
  // Unmeasured first, on an hour nothing reads: JIT compilation of the client, and of the store when a JVM.
  const warmupS = adapter.warm && !options.quick ? 2 * options.warmupS : options.warmupS;
  const warm = await runAgents((body) => adapter.ingest(body), bodies.warmup, { ...load, durationS: warmupS });
  expected.addAcknowledged(reportsOf(HOUR - 1), warm.acks);

  const ingest = await measuredLoad(adapter, bodies.ingest, RECORDS_PER_REPORT, { ...load, durationS: options.durationS });
  process.stderr.write(`bench:db: ${adapter.label}: ingest ${Math.round(ingest.flowsPerS)} flows/s\n`);
  if (adapter.floor) return { ingest: strip(ingest) };
  expected.addAcknowledged(reportsOf(HOUR), ingest.acks);

  const fill = await measuredLoad(adapter, bodies.day, RECORDS_PER_REPORT, load);
  for (let hour = DAY.from; hour <= DAY.to; hour++) expected.add(reportsOf(hour).flat());
  process.stderr.write(`bench:db: ${adapter.label}: the day written, ${Math.round(fill.flowsPerS)} flows/s\n`);

  const refreshMs = adapter.beforeReads ? (await timedMs(() => adapter.beforeReads(), 1))[0] : undefined;
  const srcFilter = (r) => r.src_app === SRC;
  const reads = [
    await timedRead(adapter, `one hour of ${options.keys} keys`, () => adapter.hourRows(HOUR), (name, rows) => checkHour(name, rows, expected, HOUR)),
    await timedRead(adapter, `top ${TOP} src_app over ${options.hours} h`, () => adapter.topSrcApps(DAY.from, DAY.to, TOP), (name, rows) =>
      checkTop(name, rows, 'src_app', expected.grouped(DAY.from, DAY.to, 'src_app'), TOP),
    ),
    await timedRead(adapter, `one src_app by dest_app over ${options.hours} h`, () => adapter.destApps(SRC, DAY.from, DAY.to), (name, rows) =>
      checkGroups(name, rows, 'dest_app', expected.grouped(DAY.from, DAY.to, 'dest_app', srcFilter)),
    ),
  ];
  process.stderr.write(`bench:db: ${adapter.label}: every answer checked\n`);

  const storage = await adapter.storage();
  const exactSums = await probeExactSums(adapter, HOUR + 1000);
  return {
    ingest: strip(ingest),
    fill: strip(fill),
    refreshMs,
    reads,
    storage: { ...storage, records: expected.records, keyHours: expected.keys.size },
    exactSums,
  };
}

/** A load's figures without its per-body acknowledgement counts. */
const strip = ({ acks, ...figures }) => figures;

async function main() {
  const started = Date.now();
  const bodies = {
    warmup: agentBodies(options.keys, HOUR - 1),
    ingest: agentBodies(options.keys, HOUR),
    day: Array.from({ length: options.hours }, (_, h) => agentBodies(options.keys, DAY.from + h)).flat(),
  };
  const stores = [];
  for (const open of plan()) {
    const adapter = await open();
    // Stopped from outside (a test's timeout, Ctrl-C): the store and the servers this run started go too.
    const stop = () => adapter.close().finally(() => process.exit(1));
    process.once('SIGINT', stop).once('SIGTERM', stop);
    try {
      const { label, client, design, engine, real, floor, durability } = adapter;
      stores.push({ label, client, design, engine, real, floor, durability, ...(await measureStore(adapter, bodies)) });
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      await adapter.close();
    }
  }
  const report = {
    date: new Date().toISOString(),
    command: options.command,
    node: process.version,
    cpus: execFileSync('nproc', { encoding: 'utf8' }).trim(),
    keys: options.keys,
    hours: options.hours,
    durationS: options.durationS,
    warmupS: options.warmupS,
    connections: options.connections,
    readsEach: options.reads,
    notAvailable:
      options.stores.includes('timescaledb') && !options.urls.timescaledb
        ? [{ label: 'TimescaleDB', why: 'not available on this machine (no Debian package); the db-choice workflow runs it' }]
        : [],
    elapsedS: (Date.now() - started) / 1000,
    stores,
  };
  printReport(report);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
