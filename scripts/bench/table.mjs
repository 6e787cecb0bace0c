// The run's results as plain text tables on stdout, one section per store and agent key space.

/** A figure with `digits` decimals, or - when there is none. */
export const fmt = (v, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

/**
 * The service's CPU per flow over the ceiling's in the same workload (flat out, or held to the service's
 * rate), and what storage costs per upserted key: the service's CPU above the paced ceiling's, spread over
 * the keys its flushes wrote.
 */
function againstCeiling(results, r) {
  const base = (server) =>
    results.find((c) => c.server === server && c.store === r.store && c.keys === r.keys && c.scenario === r.scenario && c.connections === r.connections);
  if (r.server !== 'service') return {};
  const flat = base('ceiling');
  const paced = base('ceiling-paced');
  return {
    timesCeiling: flat && r.cpuUsPerFlow / flat.cpuUsPerFlow,
    timesPaced: paced && r.cpuUsPerFlow / paced.cpuUsPerFlow,
    storageUsPerKey: paced && r.meanFlushKeys && ((r.cpuUsPerFlow - paced.cpuUsPerFlow) * r.meanFlushRecords) / r.meanFlushKeys,
  };
}

export function printTable(report) {
  const out = [`FAS benchmark ${report.date}: ${report.command}`];
  out.push(`node ${report.node}; ${report.cpus} CPUs; ${report.durationS} s per scenario after ${report.warmupS ?? 0} s unmeasured warm-up; flush window ${report.flushWindowMs}`);
  for (const store of report.stores) out.push(`${store.label}: ${store.name}`);
  const idle = report.results.filter((r) => r.scenario === 'idle');
  if (idle.length > 0) out.push('', `idle CPU: ${idle.map((r) => `${r.server} ${fmt(r.idleCpuMsPerS, 1)} ms/s`).join(', ')}`);

  const ingest = report.results.filter((r) => r.connections !== undefined && r.segmentFlowsPerS === undefined);
  const fleets = report.results.filter((r) => r.members !== undefined);
  const sections = [...new Set(ingest.map((r) => `${r.store}\u0000${r.keys}`))];
  for (const section of sections) {
    const [store, keys] = section.split('\u0000');
    out.push('', `${store}, agent key space ${keys} keys`);
    const rows = ingest
      .filter((r) => r.store === store && String(r.keys) === keys)
      .map((r) => {
        const c = againstCeiling(report.results, r);
        return [
          r.scenario, r.server, String(r.connections), fmt(r.flowsPerS), fmt(r.requestsPerS), fmt(r.latencyP50Ms, 1), fmt(r.latencyP99Ms, 1),
          fmt(r.cpuUsPerFlow, 1), fmt(c.timesCeiling, 2), fmt(c.timesPaced, 2), fmt(c.storageUsPerKey, 1), fmt(r.storeCpuUsPerFlow, 1),
          fmt(r.writeCommandsPer1000Flows, 2), fmt(r.writeCommandsPerFlush, 2), fmt(r.meanFlushRecords), fmt(r.meanFlushKeys),
          fmt(r.keysPerFlow, 3), fmt(r.upsertsPerFlow, 3), String(r.non2xx), fmt(r.peakRssMiB),
        ];
      });
    out.push(...align([
      ['scenario', 'server', 'conn', 'flows/s', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/flow', '× ceiling', '× paced', 'storage µs/key',
        'store µs/flow', 'writes/1k flows', 'writes/flush', 'flush recs', 'flush keys', 'keys/flow', 'upserts/flow', 'non-2xx',
        'peak RSS MiB'],
      ...rows,
    ]));
  }

  const reads = report.results.filter((r) => r.rows !== undefined && !r.rangeRead);
  if (reads.length > 0) {
    out.push('');
    out.push(...align([
      ['read', 'store', 'rows', 'bytes', 'p50 ms', 'max ms', 'peak RSS MiB', 'store ms/GET', 'driver: same query p50 ms', '× driver', 'driver: find all p50 ms'],
      ...reads.map((r) => [
        r.scenario, r.store, String(r.rows), String(r.bytes), fmt(r.latencyP50Ms, 1), fmt(r.latencyMaxMs, 1), fmt(r.peakRssMiB),
        fmt(r.storeCpuMsPerGet, 1), fmt(r.driverQueryP50Ms, 1), fmt(r.latencyP50Ms / r.driverQueryP50Ms, 2), fmt(r.driverFindAllP50Ms, 1),
      ]),
    ]));
  }
  const ranges = report.results.filter((r) => r.rangeRead);
  if (ranges.length > 0) {
    out.push('');
    out.push(...align([
      ['range read', 'store', 'store holds', 'read from', 'rows', 'pages', 'p50 ms', 'max ms', 'driver: same pipelines p50 ms', '× driver',
        'driver: key documents p50 ms'],
      ...ranges.map((r) => [
        r.scenario, r.store, `${r.storeHours} h × ${r.keys} keys (${r.destApps} dest apps)`, r.plan, String(r.rows), String(r.pages),
        fmt(r.latencyP50Ms, 1), fmt(r.latencyMaxMs, 1), fmt(r.driverQueryP50Ms, 1), fmt(r.latencyP50Ms / r.driverQueryP50Ms, 2),
        fmt(r.keyDocumentsP50Ms, 1),
      ]),
    ]));
  }
  if (fleets.length > 0) {
    out.push('');
    out.push(...align([
      ['fleet', 'store', 'keys', 'window ms', 'flows/s', 'upserts/flow', 'upserts/key/window', 'flush share per member', 'CPU µs/flow', 'p50 ms', 'p99 ms', 'non-2xx', 'totals exact'],
      ...fleets.map((r) => [
        r.scenario, r.store, String(r.keys), String(r.windowMs), fmt(r.flowsPerS), fmt(r.upsertsPerFlow, 3), fmt(r.upsertsPerKeyPerWindow, 2),
        r.flushShare.map((s) => s.toFixed(2)).join(' '), fmt(r.cpuUsPerFlow, 1), fmt(r.latencyP50Ms), fmt(r.latencyP99Ms), String(r.non2xx), String(r.exact),
      ]),
    ]));
  }
  const growth = report.results.filter((r) => r.segmentFlowsPerS !== undefined);
  if (growth.length > 0) {
    out.push('');
    out.push(...align([
      ['growth', 'store', 'keys', 'conn', 'seconds', 'flows/s, each tenth of the records', 'last ÷ first', 'non-2xx', 'totals exact'],
      ...growth.map((r) => [
        r.scenario, r.store, String(r.keys), String(r.connections), fmt(r.elapsedS, 1), r.segmentFlowsPerS.join(' '),
        fmt(r.lastToFirst, 2), String(r.non2xx), String(r.exact),
      ]),
    ]));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Rows of cells as lines, each column as wide as its widest cell: the first left-aligned, the rest right. */
export function align(table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}
