// CPU per record of the record schema (dist/data/flow.js) over one 100-record agent report, as the service
// runs it (options in the schema) and with the same options passed to every validate() call instead.
//   npm run build && node scripts/bench/validation-cost.cjs
const { findInvalidRecord, flowRecordSchema } = require('../../dist/data/flow.js');

const perCallOptions = { convert: false, abortEarly: true };
const variants = {
  'findInvalidRecord (options in the schema)': (records) => findInvalidRecord(records),
  'validate(record, options) per record': (records) => {
    for (const r of records) if (flowRecordSchema.validate(r, perCallOptions).error) return r;
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
