import { setTimeout as sleep } from 'node:timers/promises';
import { FlowRecord } from '../../app/data/flow';
import { FlushTimeoutError, GroupCommit, GroupCommitOptions } from '../../app/storage/groupCommit';

const record = (src: string): FlowRecord => ({ src_app: src, dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 1 });

/**
 * A group commit whose first write the test holds until it calls release(); later writes succeed at once.
 * written lists each write's src apps, in order.
 */
function holdingFirstWrite(options: GroupCommitOptions) {
  const written: string[][] = [];
  let release!: () => void;
  const commits = new GroupCommit(({ unkeyed }) => {
    written.push([...unkeyed.byKey.values()].map((k) => k.key.src_app));
    return written.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  }, options);
  return { commits, written, release: () => release() };
}

/** The flush deadline, against a write that the test holds until it chooses to settle it. */
describe('GroupCommit deadline', () => {
  it('answers a stalled flush and drops the batches queued behind it unsent', async () => {
    const { commits, written, release } = holdingFirstWrite({
      windowMs: 0,
      maxRecords: 1,
      pendingMaxRecords: 100,
      timeoutMs: 200,
    });

    const first = commits.add([record('a')]);
    const queued = commits.add([record('b')]);
    await expect(first).rejects.toBeInstanceOf(FlushTimeoutError);
    await expect(queued).rejects.toThrow('none of them was sent');
    // The stalled write still holds its record; the dropped batch no longer counts.
    expect(commits.pendingRecords).toBe(1);

    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits.pendingRecords).toBe(0);
    await expect(commits.add([record('c')])).resolves.toBeUndefined();
    expect(written).toEqual([['a'], ['c']]);
  });
});

describe('GroupCommit batching', () => {
  it('sends everything that arrived during a flush in the next single flush, however long it waited', async () => {
    const { commits, written, release } = holdingFirstWrite({
      windowMs: 1,
      maxRecords: 100,
      pendingMaxRecords: 100,
      timeoutMs: 5_000,
    });

    const first = commits.add([record('a')]);
    await sleep(20);
    // The first flush is in flight; b's window passes long before c arrives.
    const second = commits.add([record('b')]);
    await sleep(20);
    const third = commits.add([record('c')]);
    release();
    await Promise.all([first, second, third]);
    expect(written).toEqual([['a'], ['b', 'c']]);
  });

  it('starts a new batch once the queued one is full', async () => {
    const { commits, written, release } = holdingFirstWrite({
      windowMs: 1,
      maxRecords: 2,
      pendingMaxRecords: 100,
      timeoutMs: 5_000,
    });
    const added = [
      commits.add([record('a'), record('b')]),
      commits.add([record('c'), record('d')]),
      commits.add([record('e')]),
    ];
    release();
    await Promise.all(added);
    expect(written).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });
});

describe('GroupCommit after a flush', () => {
  it('holds the queued batch one more window, so callers answered by the flush join it', async () => {
    const { commits, written, release } = holdingFirstWrite({
      windowMs: 50,
      maxRecords: 100,
      pendingMaxRecords: 100,
      timeoutMs: 5_000,
    });

    const first = commits.add([record('a')]);
    await sleep(60);
    // a's flush is in flight; b's window passes while it is.
    const second = commits.add([record('b')]);
    await sleep(80);
    release();
    await first;
    // a's caller comes back after the flush has fully settled, well within a window of its end.
    await new Promise((resolve) => setImmediate(resolve));
    const again = commits.add([record('a2')]);
    await Promise.all([second, again]);
    expect(written).toEqual([['a'], ['b', 'a2']]);
  });
});
