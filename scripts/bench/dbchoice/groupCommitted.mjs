// The ingest path of the stores FAS does not run on, in the bench's process: a report's JSON parsed and
// validated as the service does, then written through the service's own group commit (built in dist/) with
// its default window and size, so every store gets the same flushes: each distinct key of a flush once.
import { createRequire } from 'node:module';
import { processTreeCpuSeconds, processTreeWriteBytes } from '../../process-stats.mjs';

const require = createRequire(import.meta.url);
const { GroupCommit } = require('../../../dist/storage/groupCommit.js');
const { findInvalidRecord } = require('../../../dist/data/flow.js');
const { loadSettings } = require('../../../dist/config/load.js');

/**
 * ingest(body) for a store whose `write(totals)` writes one flush (a FlowTotals: records summed by key) and
 * resolves once it is durable.
 */
export function groupCommitted(write) {
  const settings = loadSettings({ MONGODB_URI: 'mongodb://127.0.0.1:1/unused' });
  // A flush's content holds records without an idempotency key only: the bench sends none.
  const commits = new GroupCommit(({ unkeyed }) => write(unkeyed), {
    windowMs: settings.flushWindowMs,
    maxRecords: settings.flushMaxRecords,
    pendingMaxRecords: settings.pendingMaxRecords,
    timeoutMs: settings.flushTimeoutMs,
  });
  return async (body) => {
    const records = JSON.parse(body);
    const problem = findInvalidRecord(records);
    if (problem) throw new Error(`bench:db: record ${problem.index} is invalid: ${problem.message}`);
    // The group commit names MongoDB in its errors; the store's own message is the cause.
    await commits.add(records).catch((err) => {
      throw new Error(err.cause?.message ?? err.message);
    });
  };
}

/** Each flush's keys in one order, so concurrent writers lock rows in the same order and never deadlock. */
export function sortedKeys(totals) {
  return [...totals.byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

/**
 * usage() of a store written from this process: the bench's own CPU since now (the client), and the CPU and
 * bytes written of the server's processes when the bench started it.
 */
export function usageSince(serverPid) {
  const started = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(started);
    return {
      clientCpuS: (cpu.user + cpu.system) / 1e6,
      storeCpuS: serverPid && processTreeCpuSeconds(serverPid),
      storeWriteBytes: serverPid && processTreeWriteBytes(serverPid),
    };
  };
}
