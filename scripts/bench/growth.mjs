// Ingest as the collection grows: agents post a fixed number of records over the agent key space, and the
// rate of every segment of it is reported, so a store whose upserts slow down with the documents it holds
// shows it (the last segment against the first). Every total is then read back from the store and checked
// against the acknowledged posts, to the byte.
import { agentKeys } from './workload.mjs';

const SEGMENTS = 10;
const RECORDS_PER_REQUEST = 100;

/** `connections` clients posting the bodies in turn until `records` records are acknowledged or refused. */
async function post(url, bodies, records, connections, onAnswer) {
  const requests = Math.ceil(records / RECORDS_PER_REQUEST);
  let next = 0;
  const client = async () => {
    for (let i = next++; i < requests; i = next++) {
      const index = i % bodies.length;
      const res = await fetch(`${url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[index] });
      await res.arrayBuffer();
      onAnswer(index, res.status);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
}

/** Sums per key of the acknowledged posts (far below 2^53): each body holds one record of each of its keys. */
function expectedTotals(keys, hour, acknowledgedPosts) {
  const totals = new Map();
  agentKeys(keys, hour).forEach((r, i) => {
    const posts = acknowledgedPosts[Math.floor(i / RECORDS_PER_REQUEST)];
    if (posts > 0) totals.set(`${r.src_app}|${r.dest_app}|${r.vpc_id}`, [r.bytes_tx * posts, r.bytes_rx * posts]);
  });
  return totals;
}

/** Every document of the hour, read by the driver: a check of what was stored, not a timed read. */
async function storedTotals(collection, hour) {
  const totals = new Map();
  for await (const d of collection.find({ hour })) totals.set(`${d.src_app}|${d.dest_app}|${d.vpc_id}`, [Number(d.bytes_tx), Number(d.bytes_rx)]);
  return totals;
}

function sameTotals(a, b) {
  if (a.size !== b.size) return false;
  for (const [key, [tx, rx]] of a) {
    const other = b.get(key);
    if (!other || other[0] !== tx || other[1] !== rx) return false;
  }
  return true;
}

/** `options`: records, keys, connections, hour, bodies (agentBodies of keys at hour). */
export async function growthScenario(server, collection, { records, keys, connections, hour, bodies }) {
  const segmentRecords = records / SEGMENTS;
  const acknowledgedPosts = new Array(bodies.length).fill(0);
  const segments = [];
  let answered = 0;
  let refused = 0;
  const started = performance.now();
  let segmentStarted = started;
  await post(server.url, bodies, records, connections, (index, status) => {
    if (status === 200) acknowledgedPosts[index]++;
    else refused++;
    answered += RECORDS_PER_REQUEST;
    if (answered >= segmentRecords * (segments.length + 1)) {
      const now = performance.now();
      segments.push(Math.round((segmentRecords * 1000) / (now - segmentStarted)));
      segmentStarted = now;
    }
  });
  const elapsedS = (performance.now() - started) / 1000;
  const exact = sameTotals(expectedTotals(keys, hour, acknowledgedPosts), await storedTotals(collection, hour));
  return {
    scenario: `growth ${records} records`,
    server: server.kind,
    connections,
    records,
    elapsedS,
    non2xx: refused,
    segmentFlowsPerS: segments,
    firstFlowsPerS: segments[0],
    lastFlowsPerS: segments[segments.length - 1],
    lastToFirst: segments[segments.length - 1] / segments[0],
    exact,
  };
}
