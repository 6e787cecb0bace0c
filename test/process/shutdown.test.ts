import { once } from 'node:events';
import { spawnService, useChildService } from '../support/childService';
import { expectStoredFromLoad, keyedLoad, wholeRequest } from '../support/keyedLoad';
import { mongoUri, waitFor, withMongo } from '../support/service';

/** The built server as a child process, stopped by a real SIGTERM while clients keep posting. */
describe('SIGTERM under load', () => {
  // A delay long enough to see readiness fail while the server still serves, however busy the machine.
  const SHUTDOWN_DELAY_MS = 5_000;
  const SHUTDOWN_TIMEOUT_MS = 10_000;
  const child = useChildService({
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    FLUSH_WINDOW_MS: '20',
  });

  it('finishes accepted requests without a 5xx, exits 0, and keeps every acknowledged flow', async () => {
    const service = child();
    const load = keyedLoad(service.url);
    await waitFor(() => load.acknowledged() >= 50);

    const exited = once(service.child, 'exit');
    const signalled = Date.now();
    service.child.kill('SIGTERM');
    // Readiness fails first, while the server still serves during the shutdown delay.
    await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 503);

    const [code] = await exited;
    const exitedAfterMs = Date.now() - signalled;
    await load.stop();

    expect(code).toBe(0);
    // Within its configured delay and timeout; the rest is slack for a busy machine.
    expect(exitedAfterMs).toBeLessThan(SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 15_000);
    expect(service.output()).toContain('shutdown complete');
    // Every answer is a 200: no 5xx (not even "shutting_down") and no 4xx; refused connections are fine.
    const statuses = new Set(load.outcomes.map((o) => o.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 'error')).toEqual([]);

    // Nothing stored was never sent; an unacknowledged request is stored whole or not at all.
    for (const [totals, o] of await expectStoredFromLoad(service.database, load.outcomes)) {
      expect(totals).toEqual(wholeRequest(o));
    }
    expect(load.acknowledged()).toBeGreaterThanOrEqual(50);
  }, 180_000);
});

describe('SIGTERM after a request with an Idempotency-Key', () => {
  it('completes its flush and releases the writer slot before exiting: no other member has to recover it', async () => {
    const service = await spawnService({ SHUTDOWN_DELAY_MS: '0' });
    try {
      const body = [{ src_app: 'a', dest_app: 'b', vpc_id: 'v', bytes_tx: 1, bytes_rx: 2, hour: 1 }];
      const res = await fetch(`${service.url}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'shutdown-1' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      // At once: the flush applied waits a second for a next one to complete it.
      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      const slots = await withMongo(mongoUri(), (client) => client.db(service.database).collection('flows_hourly.writers').find().toArray());
      expect(slots.map(({ holder, inFlight, journal, seq }) => ({ holder, inFlight, journal, seq }))).toEqual([
        { holder: null, inFlight: null, journal: null, seq: 1 },
      ]);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
    }
  }, 120_000);
});
