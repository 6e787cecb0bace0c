import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { flowKeyId, incrementMaxBytes, incrementTotals } from '../../app/query/flows';
import { updateStatements } from '../../app/storage/updateCommand';

const run = promisify(execFile);
const ferretdb = join(__dirname, '../../scripts/ferretdb.sh');

/**
 * The embedded store itself (FerretDB on SQLite, as scripts/ferretdb.sh builds and starts it), whatever store
 * the suite runs on: what a newcomer's `npm run dev` depends on.
 */
describe('the embedded store under a stream of updates', () => {
  let dir: string;
  let client: MongoClient;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fas-embedded-'));
    const { stdout } = await run(ferretdb, ['start', dir], { timeout: 600_000 });
    client = await new MongoClient(stdout.trim()).connect();
  }, 600_000);
  afterAll(async () => {
    await client?.close();
    await run(ferretdb, ['stop', dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its write-ahead log bounded, so lookups do not slow down as updates go on', async () => {
    // FerretDB 1.24.2 wrote each document with its read still open: under steady updates some read always
    // was, and SQLite could never restart its log (it grew by gigabytes).
    const collection = client.db('wal').collection<{ _id: string }>('totals');
    const keys = Array.from({ length: 200 }, (_, i) => ({ hour: 1, src_app: `s${i}`, dest_app: 'd', vpc_id: 'v' }));
    const statements = keys.map((k) => incrementTotals(flowKeyId(k), k, 1, 1));
    const rounds = 25;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let r = 0; r < rounds; r++) expect(await updateStatements(client, collection, statements, incrementMaxBytes)).toEqual([]);
      }),
    );
    const files = await readdir(join(dir, 'data'));
    const wal = files.find((f) => f.startsWith('wal.') && f.endsWith('-wal'));
    // 20,000 updates of a few pages each would leave tens of megabytes; a log that restarts stays near the
    // 1,000 pages (4 MB) at which SQLite checkpoints.
    expect(wal).toBeDefined();
    expect((await stat(join(dir, 'data', wal!))).size).toBeLessThan(16 * 1024 * 1024);
    expect(await collection.countDocuments({ bytes_tx: BigInt(4 * rounds) })).toBe(200);
  }, 600_000);
});
