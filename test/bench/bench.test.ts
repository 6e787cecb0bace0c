import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { mongoUri } from '../support/service';

const repoRoot = path.resolve(__dirname, '../..');

interface BenchResult {
  scenario: string;
  server: string;
  connections?: number;
  non2xx?: number;
  cpuUsPerFlow?: number;
  writeCommandsPerFlush?: number;
  idleCpuMsPerS?: number;
  rows?: number;
  driverQueryP50Ms?: number;
}

/**
 * The harness itself, shortest run, against the suite's MongoDB: every scenario reports, and what it reports
 * is countable. Speed is the benchmark's business (docs/benchmarks.md), so nothing here is timed.
 */
describe('npm run bench', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fas-bench-test-'));
  const json = path.join(dir, 'bench.json');
  let stdout = '';
  let results: BenchResult[] = [];

  beforeAll(async () => {
    const args = ['--quick', '--keys', '50', '--duration', '1', '--warmup', '0', '--connections', '16', '--json', json];
    ({ stdout } = await promisify(execFile)(process.execPath, ['scripts/bench/bench.mjs', ...args], {
      cwd: repoRoot,
      env: { ...process.env, MONGODB_URI: mongoUri() },
      timeout: 150_000,
    }));
    results = (JSON.parse(readFileSync(json, 'utf8')) as { results: BenchResult[] }).results;
  }, 160_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures each workload on the ceiling, the service and the paced ceiling, and the idle servers', () => {
    const ingest = results.filter((r) => r.connections !== undefined).map((r) => `${r.scenario} ${r.server}`);
    for (const scenario of ['agent-100', 'batch-1000', 'hot-keys-100']) {
      expect(ingest).toEqual(expect.arrayContaining(['ceiling', 'service', 'ceiling-paced'].map((s) => `${scenario} ${s}`)));
    }
    expect(results.filter((r) => r.scenario === 'idle').map((r) => r.server)).toEqual(['ceiling', 'service']);
    expect(stdout).toContain('× paced');
  });

  it('reports CPU per flow, no failed request, and one write command per flush', () => {
    for (const r of results.filter((r) => r.connections !== undefined)) {
      expect(r.non2xx).toBe(0);
      expect(r.cpuUsPerFlow).toBeGreaterThan(0);
      if (r.server === 'service') expect(r.writeCommandsPerFlush).toBe(1);
    }
  });

  it('reads back the whole seeded hour, with the driver-alone floor beside it', () => {
    const read = results.find((r) => r.scenario === 'GET hour of 1000 keys');
    expect(read?.rows).toBe(1000);
    expect(read?.driverQueryP50Ms).toBeGreaterThan(0);
  });
});
