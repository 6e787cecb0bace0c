// The run's results as a plain text table on stdout.

const fmt = (v, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

export function printTable(report) {
  const out = [];
  out.push(`FAS benchmark ${report.date}: ${report.command}`);
  out.push(`MongoDB: ${report.mongodb}; node ${report.node}; ${report.cpus} CPUs; agent key space ${report.keys} keys; ${report.durationS} s per scenario; flush window ${report.flushWindowMs}`);
  out.push('');
  const cols = ['scenario', 'server', 'conn', 'flows/s', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/flow', 'writes/1k flows', 'writes/flush', 'flush recs', 'flush keys', 'non-2xx', 'peak RSS MiB'];
  const rows = report.results
    .filter((r) => r.connections !== undefined)
    .map((r) => [
      r.scenario, r.server, String(r.connections), fmt(r.flowsPerS), fmt(r.requestsPerS), fmt(r.latencyP50Ms, 1), fmt(r.latencyP99Ms, 1),
      fmt(r.cpuUsPerFlow, 1), fmt(r.writeCommandsPer1000Flows, 2), fmt(r.writeCommandsPerFlush, 2), fmt(r.meanFlushRecords), fmt(r.meanFlushKeys),
      String(r.non2xx), fmt(r.peakRssMiB),
    ]);
  out.push(...align([cols, ...rows]));
  const reads = report.results.filter((r) => r.connections === undefined);
  if (reads.length > 0) {
    out.push('');
    out.push(...align([
      ['read', 'rows', 'bytes', 'p50 ms', 'max ms', 'peak RSS MiB'],
      ...reads.map((r) => [r.scenario, String(r.rows), String(r.bytes), fmt(r.latencyP50Ms, 1), fmt(r.latencyMaxMs, 1), fmt(r.peakRssMiB)]),
    ]));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function align(table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}
