import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/disposableMongo';
import { mongoUri, uniqueDatabase, waitFor, withMongo } from '../support/service';

const entry = join(__dirname, '../../dist/index.js');

interface Outcome {
  key: string;
  bytes: number;
  status: number | 'error';
}

/** The built server as a child process, stopped by a real SIGTERM while clients keep posting. */
describe('SIGTERM under load', () => {
  let child: ChildProcess;
  let url: string;
  const database = uniqueDatabase();
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        MONGODB_URI: mongoUri(),
        MONGODB_DATABASE: database,
        SHUTDOWN_DELAY_MS: '500',
        SHUTDOWN_TIMEOUT_MS: '10000',
        FLUSH_WINDOW_MS: '20',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 20_000);
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('finishes accepted requests, exits 0, and keeps every acknowledged flow', async () => {
    const outcomes: Outcome[] = [];
    let stop = false;
    // Every request reports a key of its own, so what was stored can be matched to what was acknowledged.
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const key = `w${w}-r${n}`;
        const bytes = 1 + ((w * 7919 + n) % 1000);
        const body = Array.from({ length: 5 }, (_, i) => ({
          src_app: key,
          dest_app: `d${i}`,
          vpc_id: 'vpc',
          bytes_tx: bytes,
          bytes_rx: 2 * bytes,
          hour: 1,
        }));
        try {
          const res = await fetch(`${url}/flows`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          await res.arrayBuffer();
          outcomes.push({ key, bytes, status: res.status });
        } catch {
          // Refused or reset once the server stopped listening: never acknowledged.
          outcomes.push({ key, bytes, status: 'error' });
          stop = true;
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await waitFor(() => outcomes.filter((o) => o.status === 200).length >= 50, 20_000);

    const exited = once(child, 'exit');
    const signalled = Date.now();
    child.kill('SIGTERM');
    // Readiness fails first, while the server still serves during the shutdown delay.
    await sleep(100);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);

    const [code] = await exited;
    const exitedAfterMs = Date.now() - signalled;
    stop = true;
    await Promise.all(workers);

    expect(code).toBe(0);
    expect(exitedAfterMs).toBeLessThan(15_000);
    expect(output).toContain('shutdown complete');
    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 'error')).toEqual([]);

    const stored = await withMongo(mongoUri(), (client) =>
      client
        .db(database)
        .collection('flows_hourly')
        .find({}, { projection: { _id: 0, src_app: 1, bytes_tx: 1, bytes_rx: 1 } })
        .toArray(),
    );
    const storedBySrc = new Map<string, { tx: number; rx: number; n: number }>();
    for (const doc of stored) {
      const entry = storedBySrc.get(doc.src_app) ?? { tx: 0, rx: 0, n: 0 };
      entry.tx += Number(doc.bytes_tx);
      entry.rx += Number(doc.bytes_rx);
      entry.n += 1;
      storedBySrc.set(doc.src_app, entry);
    }
    const sent = new Map(outcomes.map((o) => [o.key, o]));
    for (const o of outcomes.filter((x) => x.status === 200)) {
      expect(storedBySrc.get(o.key)).toEqual({ tx: 5 * o.bytes, rx: 10 * o.bytes, n: 5 });
    }
    for (const [key, totals] of storedBySrc) {
      const o = sent.get(key);
      // Nothing stored was never sent; an unacknowledged request is stored whole or not at all.
      expect(o).toBeDefined();
      expect(totals).toEqual({ tx: 5 * o!.bytes, rx: 10 * o!.bytes, n: 5 });
    }
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThanOrEqual(50);
  }, 60_000);
});
