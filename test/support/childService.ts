import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from './disposableMongo';
import { mongoUri, startMembers, uniqueDatabase, waitFor } from './service';

const entry = join(__dirname, '../../dist/index.js');

export interface ChildService {
  child: ChildProcess;
  url: string;
  database: string;
  /** Everything the process printed so far, stdout and stderr. */
  output(): string;
}

/**
 * The built server (node dist/index.js) as a child process on a loopback port and a fresh database, so tests
 * can send it real signals. Resolves once it is ready.
 */
export async function spawnService(env: Record<string, string> = {}, { database = uniqueDatabase() } = {}): Promise<ChildService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URI: mongoUri(),
      MONGODB_DATABASE: database,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  // A child that exits before it is ready (a port taken since it was chosen) fails at once, not at the wait's end.
  const closed = once(child, 'close');
  try {
    await waitFor(async () => child.exitCode !== null || (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  if (child.exitCode !== null) {
    await closed;
    const code = output.includes('EADDRINUSE') ? 'EADDRINUSE' : undefined;
    throw Object.assign(new Error(`the service exited (${child.exitCode}) before it was ready:\n${output}`), { code });
  }
  return { child, url, database, output: () => output };
}

/** `members` built servers on one database, routing among themselves (PEERS, PEER_URL, HOP_PORT). */
export async function spawnFleet(members: number, env: Record<string, string> = {}): Promise<ChildService[]> {
  const database = uniqueDatabase();
  return startMembers(
    members,
    ({ hopPort, peers, peerUrl }) => spawnService({ ...env, HOP_PORT: String(hopPort), PEERS: peers, PEER_URL: peerUrl }, { database }),
    (service) => service.child.kill('SIGKILL'),
  );
}

/** The built server for the tests of the enclosing file or block: spawned before them, killed after. */
export function useChildService(env: Record<string, string> = {}): () => ChildService {
  let service: ChildService | undefined;
  beforeAll(async () => {
    service = await spawnService(env);
  }, 120_000);
  afterAll(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
  });
  return () => {
    if (!service) throw new Error('the child service is used outside its tests');
    return service;
  };
}
