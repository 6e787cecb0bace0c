import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './disposableMongo';

const run = promisify(execFile);

export type StoreKind = 'ferretdb' | 'mongo-java-server';

/** A store in a process of the test's own, which it can freeze, kill and start again. */
export interface StoreProcess {
  uri: string;
  /** Whether a restart finds the data: FerretDB's SQLite files do; mongo-java-server keeps it in memory. */
  keepsData: boolean;
  /** SIGSTOP: the store accepts nothing and answers nothing, its connections stay open. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** SIGKILL, the data left as it is. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** FerretDB (scripts/ferretdb.sh) or mongo-java-server (scripts/mongo-java-server.sh) on a loopback port. */
export async function startStoreProcess(kind: StoreKind): Promise<StoreProcess> {
  const script = join(__dirname, `../../scripts/${kind}.sh`);
  const dir = await mkdtemp(join(tmpdir(), `fas-${kind}-`));
  const port = String(await freePort());
  const start = async () => (await run(script, ['start', dir, port])).stdout.trim();
  const uri = await start();
  const signal = (name: NodeJS.Signals) => process.kill(Number(readFileSync(join(dir, `${kind}.pid`), 'utf8')), name);
  return {
    uri,
    keepsData: kind === 'ferretdb',
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async kill() {
      signal('SIGCONT');
      await run(script, [kind === 'ferretdb' ? 'kill' : 'stop', dir]);
    },
    async restart() {
      await start();
    },
    async stop() {
      await run(script, ['stop', dir]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
