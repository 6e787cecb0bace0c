import { mongoUri, withMongo } from './service';

/** One request of the load: its own key, so what was stored can be matched to what was acknowledged. */
export interface Outcome {
  key: string;
  bytes: number;
  status: number | 'error';
  /** When the request was sent (Date.now()). */
  sent: number;
}

export const RECORDS_PER_REQUEST = 5;

/**
 * Clients posting until stop() is called or the server goes away, each request with a src_app of its own
 * spread over RECORDS_PER_REQUEST keys. A request that fails at the socket ends its worker. With several
 * URLs (a fleet's members), worker w posts to the (w mod n)-th.
 */
export function keyedLoad(urls: string | readonly string[], workers = 8) {
  const targets = typeof urls === 'string' ? [urls] : urls;
  const outcomes: Outcome[] = [];
  let stopped = false;
  const worker = async (w: number) => {
    for (let n = 0; !stopped; n++) {
      const key = `w${w}-r${n}`;
      const bytes = 1 + ((w * 7919 + n) % 1000);
      const body = Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => ({
        src_app: key,
        dest_app: `d${i}`,
        vpc_id: 'vpc',
        bytes_tx: bytes,
        bytes_rx: 2 * bytes,
        hour: 1,
      }));
      const sent = Date.now();
      try {
        const res = await fetch(`${targets[w % targets.length]}/flows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await res.arrayBuffer();
        outcomes.push({ key, bytes, status: res.status, sent });
      } catch {
        // Refused or reset: never acknowledged.
        outcomes.push({ key, bytes, status: 'error', sent });
        return;
      }
    }
  };
  const running = Array.from({ length: workers }, (_, w) => worker(w));
  return {
    outcomes,
    acknowledged: () => outcomes.filter((o) => o.status === 200).length,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

export interface StoredTotals {
  tx: number;
  rx: number;
  n: number;
}

/** What the database holds, summed per src_app (that is, per request of the load). */
async function storedByRequest(database: string): Promise<Map<string, StoredTotals>> {
  const stored = await withMongo(mongoUri(), (client) =>
    client
      .db(database)
      .collection('flows_hourly')
      .find({}, { projection: { _id: 0, src_app: 1, bytes_tx: 1, bytes_rx: 1 } })
      .toArray(),
  );
  const bySrc = new Map<string, StoredTotals>();
  for (const doc of stored) {
    const entry = bySrc.get(doc.src_app) ?? { tx: 0, rx: 0, n: 0 };
    entry.tx += Number(doc.bytes_tx);
    entry.rx += Number(doc.bytes_rx);
    entry.n += 1;
    bySrc.set(doc.src_app, entry);
  }
  return bySrc;
}

/** The totals a whole request of the load stores. */
export function wholeRequest(o: Outcome): StoredTotals {
  return { tx: RECORDS_PER_REQUEST * o.bytes, rx: 2 * RECORDS_PER_REQUEST * o.bytes, n: RECORDS_PER_REQUEST };
}

/**
 * Checks what the database holds after the load: every acknowledged request is stored whole, exactly once,
 * and nothing stored was never sent. Returns each request's stored totals with the request, for the caller's
 * own check of what an unacknowledged request may have left.
 */
export async function expectStoredFromLoad(
  database: string,
  outcomes: readonly Outcome[],
): Promise<[StoredTotals, Outcome][]> {
  const stored = await storedByRequest(database);
  for (const o of outcomes.filter((x) => x.status === 200)) {
    expect(stored.get(o.key)).toEqual(wholeRequest(o));
  }
  const sent = new Map(outcomes.map((o) => [o.key, o]));
  return [...stored].map(([key, totals]) => {
    const o = sent.get(key);
    expect(o).toBeDefined();
    return [totals, o!];
  });
}
