// The run's results as a plain text table on stdout.

const fmt = (v, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

export function printTable(report) {
  const out = [];
  out.push(`FAS benchmark ${report.date}: ${report.command}`);
  out.push(`MongoDB: ${report.mongodb}; node ${report.node}; ${report.cpus} CPUs; agent key space ${report.keys} keys; ${report.durationS} s per scenario after ${report.warmupS ?? 0} s unmeasured warm-up; flush window ${report.flushWindowMs}`);
  out.push('');
  const cols = ['scenario', 'server', 'conn', 'flows/s', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/flow', '× ceiling', '× paced', 'writes/1k flows', 'writes/flush', 'flush recs', 'flush keys', 'non-2xx', 'peak RSS MiB'];
  const ingest = report.results.filter((r) => r.connections !== undefined);
  const idle = report.results.filter((r) => r.scenario === 'idle');
  if (idle.length > 0) out.push(`idle CPU: ${idle.map((r) => `${r.server} ${fmt(r.idleCpuMsPerS, 1)} ms/s`).join(', ')}`, '');
  // The service's CPU per flow over the ceiling's in the same workload, flat out and held to the service's rate.
  const ratio = (r, server) => {
    const base = ingest.find((c) => c.server === server && c.scenario === r.scenario && c.connections === r.connections);
    return r.server === 'service' && base ? r.cpuUsPerFlow / base.cpuUsPerFlow : undefined;
  };
  const rows = ingest
    .map((r) => [
      r.scenario, r.server, String(r.connections), fmt(r.flowsPerS), fmt(r.requestsPerS), fmt(r.latencyP50Ms, 1), fmt(r.latencyP99Ms, 1),
      fmt(r.cpuUsPerFlow, 1), fmt(ratio(r, 'ceiling'), 2), fmt(ratio(r, 'ceiling-paced'), 2), fmt(r.writeCommandsPer1000Flows, 2), fmt(r.writeCommandsPerFlush, 2), fmt(r.meanFlushRecords), fmt(r.meanFlushKeys),
      String(r.non2xx), fmt(r.peakRssMiB),
    ]);
  out.push(...align([cols, ...rows]));
  const reads = report.results.filter((r) => r.rows !== undefined);
  if (reads.length > 0) {
    out.push('');
    out.push(...align([
      ['read', 'rows', 'bytes', 'p50 ms', 'max ms', 'peak RSS MiB', 'driver: same query p50 ms', 'driver: find all p50 ms'],
      ...reads.map((r) => [
        r.scenario, String(r.rows), String(r.bytes), fmt(r.latencyP50Ms, 1), fmt(r.latencyMaxMs, 1), fmt(r.peakRssMiB),
        fmt(r.driverQueryP50Ms, 1), fmt(r.driverFindAllP50Ms, 1),
      ]),
    ]));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function align(table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}
