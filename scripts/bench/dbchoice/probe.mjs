// What a store does with totals past 2^53 (where a double stops being exact) and past 2^63 (where a signed
// 64-bit integer overflows), through the same ingest and read as the rest of the run, on a key of its own.

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1, the largest value FAS accepts in a record
const TWO_63 = 2n ** 63n;

const report = (hour, n) =>
  JSON.stringify(Array.from({ length: n }, () => ({ src_app: 'probe-src', dest_app: 'probe-dest', vpc_id: 'probe-vpc', bytes_tx: MAX, bytes_rx: MAX, hour })));

/** The probe key's total as the store reads it back, or the read's error. */
async function readBack(adapter, hour) {
  try {
    const rows = await adapter.destApps('probe-src', hour, hour);
    return { total: rows[0]?.bytes_tx };
  } catch (err) {
    return { error: err.message };
  }
}

function verdict(read, expected) {
  if (read.error) return `read refused: ${read.error.slice(0, 160)}`;
  if (read.total === expected) return `exact (${expected})`;
  return `WRONG: read ${read.total}, the bench summed ${expected}`;
}

/**
 * Three records of 2^53 - 1 (a total past 2^53), then reports of 100 such records one after another until
 * the total has passed 2^63 or a write is refused: each flush stays below 2^63, so it is the store's own
 * addition, or its SUM, that must cross it.
 */
export async function probeExactSums(adapter, hour) {
  let acknowledged = 0n;
  const send = async (n) => {
    await adapter.ingest(report(hour, n));
    acknowledged += BigInt(n) * BigInt(MAX);
  };
  for (let i = 0; i < 3; i++) await send(1);
  const past53 = verdict(await readBack(adapter, hour), acknowledged);
  let refused;
  while (acknowledged < TWO_63 && !refused) {
    try {
      await send(100);
    } catch (err) {
      refused = err.message;
    }
  }
  const writes = refused ? `write refused once the total would pass 2^63: ${refused.slice(0, 160)}` : 'every write acknowledged';
  return { past53, past63: `${writes}; ${verdict(await readBack(adapter, hour), acknowledged)}` };
}
