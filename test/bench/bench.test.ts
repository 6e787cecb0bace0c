import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { startMongoJavaServer } from '../support/disposableMongo';

const repoRoot = path.resolve(__dirname, '../..');

interface BenchResult {
  store: string;
  keys?: number;
  scenario: string;
  server: string;
  connections?: number;
  non2xx?: number;
  cpuUsPerFlow?: number;
  storeCpuUsPerFlow?: number;
  writeCommandsPerFlush?: number;
  idleCpuMsPerS?: number;
  rows?: number;
  pages?: number;
  rangeRead?: boolean;
  driverQueryP50Ms?: number;
  keyDocumentsP50Ms?: number;
  plan?: string;
  upsertsPerFlow?: number;
  keysPerFlow?: number;
  segmentFlowsPerS?: number[];
  exact?: boolean;
}

/** The bench with the stores it starts itself, or with the MongoDB given. */
const bench = (args: string[], mongodbUri?: string) => {
  const env = { ...process.env };
  delete env.MONGODB_URI;
  if (mongodbUri) env.MONGODB_URI = mongodbUri;
  return promisify(execFile)(process.execPath, ['scripts/bench/bench.mjs', ...args], { cwd: repoRoot, env, timeout: 240_000 });
};
const resultsOf = (json: string) => (JSON.parse(readFileSync(json, 'utf8')) as { results: BenchResult[] }).results;

/**
 * The harness itself, shortest run, on the stores it starts by itself (FerretDB and mongo-java-server, at
 * 50,000 keys): every scenario reports, and what it reports is countable. Speed is the
 * benchmark's business (docs/benchmarks.md), so nothing here is timed.
 */
describe('npm run bench', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fas-bench-test-'));
  const json = path.join(dir, 'bench.json');
  let stdout = '';
  let results: BenchResult[] = [];
  const stores = ['FerretDB', 'mongo-java-server'];

  beforeAll(async () => {
    ({ stdout } = await bench(['--quick', '--duration', '1', '--warmup', '0', '--connections', '16', '--json', json]));
    results = resultsOf(json);
  }, 250_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures each workload on the ceiling, the service and the paced ceiling, on each store', () => {
    for (const [store, keys] of [['FerretDB', 50_000], ['mongo-java-server', 50_000]] as const) {
      const ingest = results
        .filter((r) => r.connections !== undefined && r.store === store && r.keys === keys)
        .map((r) => `${r.scenario} ${r.server}`);
      for (const scenario of ['agent-100', 'agent-100-keyed', 'batch-1000', 'hot-keys-100']) {
        expect(ingest).toEqual(expect.arrayContaining(['ceiling', 'service', 'ceiling-paced'].map((s) => `${scenario} ${s}`)));
      }
      expect(stdout).toContain(`${store}, agent key space ${keys} keys`);
    }
    expect(results.filter((r) => r.scenario === 'idle').map((r) => r.server)).toEqual(['ceiling', 'service']);
    expect(stdout).toContain('× paced');
  });

  it("reports the service's and the store's CPU per flow, no failed request, the write commands per flush, upserts per flow", () => {
    for (const r of results.filter((r) => r.connections !== undefined)) {
      expect(r.non2xx).toBe(0);
      expect(r.cpuUsPerFlow).toBeGreaterThan(0);
      if (r.server === 'service') {
        // One for the key documents, one for the roll-ups; with Idempotency-Keys, the slot's update that
        // begins the flush and the claims' update besides, the slot's completion when no flush followed
        // within a second (docs/exactly-once.md), and in the first flush the insert of the writer slot.
        if (r.scenario === 'agent-100-keyed') {
          expect(r.writeCommandsPerFlush).toBeGreaterThanOrEqual(4);
          expect(r.writeCommandsPerFlush).toBeLessThanOrEqual(6);
        } else {
          expect(r.writeCommandsPerFlush).toBe(2);
        }
        expect(r.storeCpuUsPerFlow).toBeGreaterThan(0);
        // One upsert per key, and a few roll-up documents more.
        expect(r.upsertsPerFlow).toBeGreaterThan(r.keysPerFlow!);
      }
    }
    expect(stdout).toContain('upserts/flow');
  });

  it('reads back the whole seeded hour on each store, with the driver-alone floor beside it', () => {
    for (const store of stores) {
      const read = results.find((r) => r.scenario === 'GET hour of 1000 keys' && r.store === store);
      expect(read?.rows).toBe(1000);
      expect(read?.driverQueryP50Ms).toBeGreaterThan(0);
    }
  });

  it('answers the reads over ranges on each store, through the service as the driver alone does, from the documents planned', () => {
    for (const store of stores) {
      const reads = results.filter((r) => r.rangeRead && r.store === store);
      // 3 hours of 1,000 keys: 2 src apps, 100 dest apps, 3 hours, and an hour's 1,000 rows on 3 pages; then
      // 48 hours from 8 hours into a UTC day (one whole day, 16 hours before it, 8 after) of 100 keys: 1 src app,
      // 20 dest apps.
      expect(reads.map((r) => [r.scenario, r.rows, r.pages, r.plan])).toEqual([
        ['top 10 src_app by bytes over 3 h', 2, 1, 'by_src_app: 3 hours'],
        ['one src_app by dest_app over 3 h', 100, 1, 'key documents'],
        ['time series of one key over 3 h', 3, 1, 'key documents'],
        ['one hour of 1000 keys, 400 rows a page', 1000, 3, 'key documents'],
        ['top 10 src_app by bytes over 48 h', 1, 1, 'by_src_app: 1 days + 24 hours'],
        ['bytes per hour over 48 h', 48, 1, 'total: 48 hours'],
      ]);
      for (const r of reads) expect([r.driverQueryP50Ms, r.keyDocumentsP50Ms]).toEqual([expect.any(Number), expect.any(Number)]);
    }
    expect(stdout).toContain('range read');
  });

  it('posts a fixed count of records as the collection grows, rate by tenths, and checks every total', async () => {
    const growth = path.join(dir, 'growth.json');
    const { stdout: table } = await bench(['--only', 'growth', '--store', 'ferretdb', '--records', '20000', '--keys', '2000', '--json', growth]);
    const [run] = resultsOf(growth);
    expect(run).toMatchObject({ scenario: 'growth 20000 records', store: 'FerretDB', keys: 2000, non2xx: 0, exact: true });
    expect(run.segmentFlowsPerS).toHaveLength(10);
    expect(table).toContain('last ÷ first');
  }, 250_000);

  it('leaves nothing in a MongoDB it is given: every collection a keyed run made is dropped', async () => {
    const store = await startMongoJavaServer();
    const client = new MongoClient(store.uri);
    try {
      await bench(['--only', 'agent-100-keyed', '--keys', '1000', '--duration', '1', '--warmup', '0'], store.uri);
      const { databases } = await client.db().admin().listDatabases();
      const left = await Promise.all(databases.map(async ({ name }) => (await client.db(name).listCollections().toArray()).map((c) => `${name}.${c.name}`)));
      expect(left.flat().filter((name) => !name.startsWith('admin.') && !name.startsWith('local.') && !name.startsWith('config.'))).toEqual([]);
    } finally {
      await client.close();
      await store.stop();
    }
  }, 250_000);
});
