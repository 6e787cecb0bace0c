// CPU per record of batch validation (dist/data/flow.js) over one 100-record agent report: findInvalidRecord
// as the service runs it (the schema's rules spelled out for valid records, joi for refusals), joi's
// flowRecordSchema alone, and JSON.parse of the same report for scale.
//   npm run build && node scripts/bench/validation-cost.cjs
const { findInvalidRecord, flowRecordSchema } = require('../../dist/data/flow.js');

const variants = {
  'findInvalidRecord (isValidRecord, joi for refusals)': (records) => findInvalidRecord(records),
  'flowRecordSchema.validate per record (joi alone)': (records) => {
    for (const r of records) if (flowRecordSchema.validate(r).error) return r;
    return undefined;
  },
  'JSON.parse of the report': (_records, text) => JSON.parse(text) && undefined,
};

(async () => {
  const { agentBodies } = await import('./workload.mjs');
  const text = agentBodies(50_000, 500_000)[7];
  const records = JSON.parse(text);
  for (let round = 0; round < 3; round++) {
    for (const [name, validate] of Object.entries(variants)) {
      for (let i = 0; i < 2_000; i++) validate(records, text);
      const n = 6_000;
      const started = process.cpuUsage();
      for (let i = 0; i < n; i++) if (validate(records, text) !== undefined) throw new Error(`${name} refused a valid record`);
      const used = process.cpuUsage(started);
      const perRecord = (used.user + used.system) / (n * records.length);
      console.log(JSON.stringify({ round, variant: name, cpuUsPerRecord: Number(perRecord.toFixed(3)) }));
    }
  }
})();
