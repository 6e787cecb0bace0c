import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startMongoJavaServer } from '../support/disposableMongo';

const repoRoot = path.resolve(__dirname, '../..');

/** A cost script of scripts/bench/, run as docs/benchmarks.md runs it but briefly; its output. */
const costScript = async (script: string, ...args: string[]) =>
  (
    await promisify(execFile)(process.execPath, [`scripts/bench/${script}`, ...args], {
      cwd: repoRoot,
      env: { ...process.env, COST_QUICK: '1' },
      timeout: 120_000,
    })
  ).stdout;

/**
 * The scripts whose figures docs/benchmarks.md quotes still run against the code they measure (one had
 * stopped: it imported functions dist/ no longer has).
 */
describe('the cost scripts of the benchmark', () => {
  it('keyed-cost.cjs measures every step of a keyed flush, and whole flushes on a MongoDB-wire store', async () => {
    const store = await startMongoJavaServer();
    let out: string;
    try {
      out = await costScript('keyed-cost.cjs', store.uri);
    } finally {
      await store.stop();
    }
    expect(out).toContain('one flush: 1000 keys, 10 requests');
    // Each call through the store was one flush, without keys and with.
    const [, flushes, calls] = /flushes: (\d+) for (\d+) calls/.exec(out) ?? [];
    expect(Number(flushes)).toBeGreaterThan(0);
    expect(flushes).toBe(calls);
    expect(out).toMatch(/flush without keys\s+\d+ µs a flush/);
    expect(out).toMatch(/flush with keys\s+\d+ µs a flush/);
    // The journal of 1,000 keys is some 16 KB, whichever document carries it.
    expect(Number(/journal (\d+)/.exec(out)?.[1])).toBeGreaterThan(10_000);
    for (const step of ['statements, guarded', 'serialize the commands, guarded', 'journal: encode', 'journal: serialize', 'claims: build and serialize', 'digests of the requests']) {
      expect(out).toMatch(new RegExp(`${step.replace(/[,:]/g, '.')}\\s+\\d+ µs a flush`));
    }
  }, 150_000);

  it('driver-cost.cjs measures every way of sending a flush, on a MongoDB-wire store', async () => {
    const store = await startMongoJavaServer();
    try {
      const lines = (await costScript('driver-cost.cjs', store.uri)).trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
      expect(lines.filter((l) => l.cpuUsPerUpsert > 0)).toHaveLength(5);
      expect(lines.filter((l) => l.cpuUsPer50UpsertCommand > 0).map((l) => l.gapMs)).toEqual([0, 20, 70]);
      expect(lines.filter((l) => l.cpuUsPerFlush > 0).map((l) => l.flush)).toEqual([
        'key documents alone',
        'key documents and roll-ups at once (the service)',
        'one statement',
      ]);
    } finally {
      await store.stop();
    }
  }, 150_000);
});
