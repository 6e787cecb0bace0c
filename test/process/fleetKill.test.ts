import { once } from 'node:events';
import { ChildService, spawnFleet } from '../support/childService';
import { expectStoredFromLoad, keyedLoad, RECORDS_PER_REQUEST } from '../support/keyedLoad';
import { waitFor } from '../support/service';

/**
 * A fleet of three built servers routing records among themselves, one killed with SIGKILL under load from
 * clients posting to every member: what the survivors acknowledge is stored exactly, whoever owned the keys.
 */
describe('kill -9 of one member of a fleet under load', () => {
  let fleet: ChildService[] = [];
  beforeAll(async () => {
    fleet = await spawnFleet(3, { FLUSH_WINDOW_MS: '50' });
  }, 180_000);
  afterAll(() => {
    for (const member of fleet) if (member.child.exitCode === null) member.child.kill('SIGKILL');
  });

  it('loses nothing acknowledged, and the others take its keys over at once', async () => {
    // Nine clients: three per member.
    const load = keyedLoad(
      fleet.map((m) => m.url),
      9,
    );
    await waitFor(() => load.acknowledged() >= 100);

    const exited = once(fleet[2].child, 'exit');
    fleet[2].child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await waitFor(() => load.outcomes.filter((o) => o.sent > killedAt + 1000 && o.status === 200).length >= 100);
    await load.stop();

    // The members left keep answering: their keys owned by the dead member are written by whoever has them.
    const after = load.outcomes.filter((o) => o.sent > killedAt + 1000);
    expect(after.filter((o) => o.status !== 200)).toEqual([]);

    for (const [totals, o] of await expectStoredFromLoad(fleet[0].database, load.outcomes)) {
      // A request cut off by the kill may be stored in part (its records went to several members), never
      // more than once: each key holds exactly its record or nothing.
      expect(totals.n).toBeLessThanOrEqual(RECORDS_PER_REQUEST);
      expect(totals).toEqual({ tx: totals.n * o.bytes, rx: 2 * totals.n * o.bytes, n: totals.n });
    }
  }, 240_000);
});
