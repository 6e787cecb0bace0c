import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { useChildService } from '../support/childService';
import { expectStoredFromLoad, keyedLoad, wholeRequest } from '../support/keyedLoad';
import { waitFor } from '../support/service';

/** The built server as a child process, stopped by a real SIGTERM while clients keep posting. */
describe('SIGTERM under load', () => {
  const child = useChildService({ SHUTDOWN_DELAY_MS: '500', SHUTDOWN_TIMEOUT_MS: '10000', FLUSH_WINDOW_MS: '20' });

  it('finishes accepted requests without a 5xx, exits 0, and keeps every acknowledged flow', async () => {
    const service = child();
    const load = keyedLoad(service.url);
    await waitFor(() => load.acknowledged() >= 50, 20_000);

    const exited = once(service.child, 'exit');
    const signalled = Date.now();
    service.child.kill('SIGTERM');
    // Readiness fails first, while the server still serves during the shutdown delay.
    await sleep(100);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(503);

    const [code] = await exited;
    const exitedAfterMs = Date.now() - signalled;
    await load.stop();

    expect(code).toBe(0);
    expect(exitedAfterMs).toBeLessThan(15_000);
    expect(service.output()).toContain('shutdown complete');
    // Every answer is a 200: no 5xx (not even "shutting_down") and no 4xx; refused connections are fine.
    const statuses = new Set(load.outcomes.map((o) => o.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 'error')).toEqual([]);

    // Nothing stored was never sent; an unacknowledged request is stored whole or not at all.
    for (const [totals, o] of await expectStoredFromLoad(service.database, load.outcomes)) {
      expect(totals).toEqual(wholeRequest(o));
    }
    expect(load.acknowledged()).toBeGreaterThanOrEqual(50);
  }, 60_000);
});
