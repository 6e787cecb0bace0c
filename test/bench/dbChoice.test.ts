import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const repoRoot = path.resolve(__dirname, '../..');
const node = (args: string[], timeout: number) => promisify(execFile)(process.execPath, args, { cwd: repoRoot, timeout });

interface Load {
  flows: number;
  flowsPerS: number;
  clientCpuUsPerFlow?: number;
  storeCpuUsPerFlow?: number;
}
interface StoreReport {
  label: string;
  real?: boolean;
  floor?: boolean;
  durability?: string;
  ingest: Load;
  fill?: Load;
  reads?: { read: string; rows: number }[];
  storage?: { bytes: number; records: number; keyHours: number; stored: number };
  exactSums?: { past53: string; past63: string };
}

/**
 * The store comparison's short run (--quick) on the stores it starts by itself: FAS on mongo-java-server,
 * PostgreSQL and InfluxDB (Debian's packages, installed by scripts/postgres.sh and scripts/influxdb.sh when
 * missing). The run fails on any answer that differs from the bench's own sums, so a passing run means every
 * answer was exact; speed is the bench's business (docs/db-choice.md), so nothing here is timed.
 */
describe('npm run bench:db -- --quick', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fas-dbchoice-test-'));
  const json = path.join(dir, 'db-choice.json');
  let stdout = '';
  let stores: StoreReport[] = [];
  const store = (label: string) => stores.find((s) => s.label === label);

  beforeAll(async () => {
    ({ stdout } = await node(['scripts/bench/dbchoice/run.mjs', '--quick', '--duration', '1', '--json', json], 540_000));
    stores = (JSON.parse(readFileSync(json, 'utf8')) as { stores: StoreReport[] }).stores;
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures the floors and the three stores available here, and says TimescaleDB is not', () => {
    expect(stores.map((s) => s.label)).toEqual(['FAS, no store', 'bench client, no store', 'mongo-java-server', 'PostgreSQL', 'InfluxDB']);
    expect(stdout).toContain('TimescaleDB: not available on this machine');
    expect(stdout).toContain('mongo-java-server [STAND-IN]');
    expect(stdout).toContain('PostgreSQL [real engine]');
    expect(stdout).toContain('InfluxDB [real engine]');
  });

  it('writes with production durability on the real engines, and says what it means on the stand-in', () => {
    expect(store('PostgreSQL')?.durability).toMatch(/^synchronous_commit=on, fsync=on/);
    expect(store('InfluxDB')?.durability).toMatch(/wal-fsync-delay 0s/);
    expect(store('mongo-java-server')?.durability).toMatch(/means nothing/);
  });

  it("reports every load's throughput and the client's CPU, and the store's CPU for the real engines", () => {
    for (const s of stores) {
      for (const load of [s.ingest, s.fill].filter((l): l is Load => l !== undefined)) {
        expect(load.flows).toBeGreaterThan(0);
        expect(load.clientCpuUsPerFlow).toBeGreaterThan(0);
        if (s.real) expect(load.storeCpuUsPerFlow).toBeGreaterThan(0);
      }
    }
  });

  it('answers the three reads with the rows the bench expects (1,000 keys, 2 src apps, 100 dest apps)', () => {
    for (const label of ['mongo-java-server', 'PostgreSQL', 'InfluxDB']) {
      expect(store(label)?.reads?.map((r) => [r.read, r.rows])).toEqual([
        ['one hour of 1000 keys', 1000],
        ['top 10 src_app over 3 h', 2],
        ['one src_app by dest_app over 3 h', 100],
      ]);
      const storage = store(label)?.storage;
      expect(storage?.keyHours).toBe(5000); // the warm-up hour, the load's hour, the 3 hours of the day
      expect(storage?.stored).toBeGreaterThanOrEqual(5000);
      if (store(label)?.real) expect(storage?.bytes).toBeGreaterThan(0);
    }
  });

  it('keeps totals past 2^53 exact everywhere, and shows what each store does past 2^63', () => {
    for (const label of ['mongo-java-server', 'PostgreSQL', 'InfluxDB']) expect(store(label)?.exactSums?.past53).toMatch(/^exact/);
    expect(store('PostgreSQL')?.exactSums?.past63).toMatch(/^write refused .*bigint out of range; exact/);
    expect(store('InfluxDB')?.exactSums?.past63).toMatch(/^every write acknowledged; WRONG: read -/);
  });
});

describe("the bench's checks", () => {
  // Wrong answers fed to the checks the comparison runs on every store's reads: each must be refused.
  const script = `
    import { ExpectedSums, checkGroups, checkHour, checkTop } from './scripts/bench/dbchoice/expected.mjs';
    const r = (src, dest, tx, rx) => ({ hour: 1, src_app: src, dest_app: dest, vpc_id: 'v', bytes_tx: tx, bytes_rx: rx });
    const sums = new ExpectedSums();
    sums.add([r('a', 'x', 1, 1), r('b', 'x', 5, 5), r('c', 'y', 3, 3)], 2);
    sums.add([r('a', 'x', Number.MAX_SAFE_INTEGER, 0)]);
    const row = (src, dest, tx, rx) => ({ src_app: src, dest_app: dest, vpc_id: 'v', bytes_tx: tx, bytes_rx: rx });
    const hour = [row('a', 'x', 2n + 9007199254740991n, 2n), row('b', 'x', 10n, 10n), row('c', 'y', 6n, 6n)];
    const bySrc = sums.grouped(1, 1, 'src_app');
    const top = (rows) => () => checkTop('top', rows, 'src_app', bySrc, 2);
    const cases = {
      right: [() => checkHour('hour', hour, sums, 1), top([hour[0], hour[1]])],
      wrong: [
        () => checkHour('hour', [hour[0], hour[1]], sums, 1),
        () => checkHour('hour', [{ ...hour[0], bytes_tx: 9007199254740992n }, hour[1], hour[2]], sums, 1),
        () => checkHour('hour', [hour[0], hour[1], hour[1]], sums, 1),
        top([hour[0], hour[2]]),
        top([hour[1], hour[0]]),
        () => checkGroups('groups', [{ dest_app: 'x', bytes_tx: 9007199254740995n, bytes_rx: 12n }], 'dest_app', sums.grouped(1, 1, 'dest_app')),
      ],
    };
    const refused = (f) => { try { f(); return false; } catch { return true; } };
    console.log(JSON.stringify({ right: cases.right.map(refused), wrong: cases.wrong.map(refused) }));
  `;

  it('accept the right answers and refuse a missing row, a total off by one, a row twice, a wrong top, a wrong order', async () => {
    const { stdout } = await node(['--input-type=module', '-e', script], 30_000);
    expect(JSON.parse(stdout)).toEqual({ right: [false, false], wrong: [true, true, true, true, true, true] });
  });
});
