// Request bodies, built once before a run so the load generator only replays buffers.

const VPCS = 5;
const RECORDS_PER_AGENT = 100;

/**
 * The agent-like key space: S src apps × D dest apps × 5 VPCs, D = 100 unless given, S = keys / (5 D) (100 for
 * the 50,000 keys; a smaller key space keeps each request's 100 distinct keys and has fewer src apps).
 * Each request is one agent's report for one src app: 100 records over that app's (dest, vpc) pairs; together
 * the requests cover every key.
 */
function agentRecordSets(keys, hour, dests = 100) {
  const destApps = Math.max(1, Math.min(dests, Math.floor(keys / VPCS)));
  const srcApps = Math.max(1, Math.round(keys / (destApps * VPCS)));
  const pairs = destApps * VPCS;
  const sets = [];
  for (let s = 0; s < srcApps; s++) {
    for (let start = 0; start < pairs; start += RECORDS_PER_AGENT) {
      const records = [];
      for (let i = 0; i < RECORDS_PER_AGENT; i++) {
        const pair = (start + i) % pairs;
        records.push({
          src_app: `app-src-${s}`,
          dest_app: `app-dest-${Math.floor(pair / VPCS)}`,
          vpc_id: `vpc-${pair % VPCS}`,
          bytes_tx: 1000 + ((s * 7 + i) % 5000),
          bytes_rx: 2000 + ((s * 13 + i) % 9000),
          hour,
        });
      }
      sets.push(records);
    }
  }
  return sets;
}

export function agentBodies(keys, hour) {
  return agentRecordSets(keys, hour).map((records) => JSON.stringify(records));
}

/** Every key of the agent-like key space once over: what a read benchmark's hour holds. */
export function agentKeys(keys, hour, destApps) {
  return agentRecordSets(keys, hour, destApps).flat();
}

/** Bodies of `per` agent reports each (1,000 records for per = 10), cycling through the reports. */
export function batchBodies(agentJson, per) {
  const sets = agentJson.map((body) => JSON.parse(body));
  const bodies = [];
  for (let i = 0; i < Math.max(1, Math.ceil(sets.length / per)); i++) {
    bodies.push(JSON.stringify(Array.from({ length: per }, (_, j) => sets[(i * per + j) % sets.length]).flat()));
  }
  return bodies;
}

/** Heavy repetition: 10 keys (2 src × 1 dest × 5 VPCs), each request 100 records of them. */
export function hotKeyBodies(hour) {
  return Array.from({ length: 10 }, (_, b) =>
    JSON.stringify(
      Array.from({ length: RECORDS_PER_AGENT }, (_, i) => ({
        src_app: `hot-src-${(b + i) % 2}`,
        dest_app: 'hot-dest',
        vpc_id: `vpc-${i % VPCS}`,
        bytes_tx: 100 + i,
        bytes_rx: 200 + i,
        hour,
      })),
    ),
  );
}
