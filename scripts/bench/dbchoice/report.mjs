// The comparison's results as plain text tables on stdout. A stand-in's own figures (its CPU, its bytes) are
// never printed beside a real engine's: only what FAS itself spends on it.
import { align, fmt } from '../table.mjs';

const kind = (s) => (s.floor ? 'floor' : s.real ? 'real engine' : 'STAND-IN');
/** A store's own figure, or why there is none. */
const own = (s, value, digits = 0) => (s.real ? fmt(value, digits) : 'stand-in');
/** The floor measured for the same client: FAS's ceiling for MongoDB, the bench's own for the others. */
const floorOf = (stores, s) => stores.find((f) => f.floor && f.client === s.client);

export function printReport(report) {
  const out = [`FAS store comparison ${report.date}: ${report.command}`];
  out.push(
    `node ${report.node}; ${report.cpus} CPUs; ${report.connections} agents sending reports of 100 records over ${report.keys} keys an hour; ` +
      `ingest ${report.durationS} s after ${report.warmupS} s unmeasured; then ${report.hours} hours × ${report.keys} keys; each read ${report.readsEach} times`,
    '',
  );
  for (const s of report.stores) {
    out.push(`${s.label} [${kind(s)}]: ${s.engine}; ${s.design}${s.durability ? `; durability: ${s.durability}` : ''}`);
  }
  for (const s of report.notAvailable) out.push(`${s.label}: ${s.why}`);

  const loads = report.stores.flatMap((s) => [['agent load', s.ingest], ['the day', s.fill]].filter(([, l]) => l).map(([name, l]) => ({ s, name, l })));
  out.push('', ...align([
    ['store', 'kind', 'load', 'flows/s', 'p50 ms', 'p99 ms', 'client CPU µs/flow', '× floor', 'store CPU µs/flow', 'store writes B/flow'],
    ...loads.map(({ s, name, l }) => {
      const floor = floorOf(report.stores, s);
      return [
        s.label, kind(s), name, fmt(l.flowsPerS), fmt(l.latencyP50Ms, 1), fmt(l.latencyP99Ms, 1), fmt(l.clientCpuUsPerFlow, 2),
        s.floor ? '' : fmt(l.clientCpuUsPerFlow / floor?.ingest.clientCpuUsPerFlow, 2),
        s.floor ? '' : own(s, l.storeCpuUsPerFlow, 2), s.floor ? '' : own(s, l.storeWriteBytesPerFlow),
      ];
    }),
  ]));

  const measured = report.stores.filter((s) => s.reads);
  out.push('', ...align([
    ['store', 'kind', 'read', 'rows', 'p50 ms', 'max ms', 'store CPU ms/read'],
    ...measured.flatMap((s) => [
      ...(s.refreshMs === undefined ? [] : [[s.label, kind(s), 'refresh of the aggregate', '', fmt(s.refreshMs, 1), '', '']]),
      ...s.reads.map((r) => [s.label, kind(s), r.read, String(r.rows), fmt(r.p50Ms, 1), fmt(r.maxMs, 1), own(s, r.storeCpuMsPerRead, 1)]),
    ]),
  ]));

  out.push('', ...align([
    ['store', 'kind', 'records', 'key-hours', 'stored', 'bytes', 'B per key-hour', 'MB per million records', 'data directory bytes', 'measured by'],
    ...measured.map(({ storage: st, ...s }) => [
      s.label, kind(s), String(st.records), String(st.keyHours), `${st.stored} ${st.storedUnit}`, own(s, st.bytes),
      own(s, st.bytes / st.keyHours), own(s, st.bytes / st.records, 1), fmt(st.dirBytes), st.how,
    ]),
  ]));

  out.push('', ...align([
    ['store', 'kind', 'a total past 2^53', 'a total past 2^63'],
    ...measured.map((s) => [s.label, kind(s), s.exactSums.past53, s.exactSums.past63]),
  ]));
  out.push('', `every answer checked against the bench's own sums; ${report.elapsedS.toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}
