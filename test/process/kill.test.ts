import { once } from 'node:events';
import { useChildService } from '../support/childService';
import { expectStoredFromLoad, keyedLoad, RECORDS_PER_REQUEST } from '../support/keyedLoad';
import { waitFor } from '../support/service';

/**
 * The built server killed with SIGKILL while clients keep posting: no shutdown code runs, so what holds here
 * is what the write path guarantees by itself (docs/reliability.md).
 */
describe('kill -9 under load', () => {
  // A flush window long enough that the kill finds records both in memory and in a flush on the wire.
  const child = useChildService({ FLUSH_WINDOW_MS: '50' });

  it('loses nothing acknowledged, stores nothing never sent, and never counts a record twice', async () => {
    const service = child();
    const load = keyedLoad(service.url);
    await waitFor(() => load.acknowledged() >= 100);

    const exited = once(service.child, 'exit');
    service.child.kill('SIGKILL');
    const [, signal] = await exited;
    await load.stop();
    expect(signal).toBe('SIGKILL');

    const unacknowledged = load.outcomes.filter((o) => o.status !== 200);
    // Answers other than 200 would be a fault of their own: the load never overloads this service.
    expect(unacknowledged.every((o) => o.status === 'error')).toBe(true);
    expect(unacknowledged.length).toBeGreaterThan(0);

    for (const [totals, o] of await expectStoredFromLoad(service.database, load.outcomes)) {
      // A request cut off by the kill may be stored in part: its records are upserts to distinct keys in one
      // unordered bulk write, which the server may have been applying when the connection dropped (seen on
      // FerretDB). Each key it reached holds exactly that record, never a double count.
      expect(totals.n).toBeLessThanOrEqual(RECORDS_PER_REQUEST);
      expect(totals).toEqual({ tx: totals.n * o.bytes, rx: 2 * totals.n * o.bytes, n: totals.n });
    }
  }, 240_000);
});
