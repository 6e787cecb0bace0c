import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(__dirname, '../../scripts/ferretdb.sh');
const mongoJavaServerScript = join(__dirname, '../../scripts/mongo-java-server.sh');

/** A free loopback port, as the scripts choose one (scripts/free-port.mjs: outside the ephemeral range). */
export async function freePort(): Promise<number> {
  const { stdout } = await run(process.execPath, [join(__dirname, '../../scripts/free-port.mjs')]);
  return Number(stdout);
}

export interface DisposableMongo {
  uri: string;
  /** Stops the server the way a crash does: SIGKILL, open connections cut. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A MongoDB-wire server of the test's own, which the test may stop and start: FerretDB through
 * scripts/ferretdb.sh when the suite runs against FerretDB (TEST_MONGO_SERVER=ferretdb, as .ci/run sets),
 * otherwise a mongod from mongodb-memory-server.
 */
export async function startDisposableMongo(port: number): Promise<DisposableMongo> {
  if (process.env.TEST_MONGO_SERVER === 'ferretdb') {
    const dir = await mkdtemp(join(tmpdir(), 'fas-ferretdb-'));
    const { stdout } = await run(script, ['start', dir, String(port)]);
    const end = async (how: 'stop' | 'kill') => {
      await run(script, [how, dir]);
      await rm(dir, { recursive: true, force: true });
    };
    return { uri: stdout.trim(), crash: () => end('kill'), stop: () => end('stop') };
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const mongod = await MongoMemoryServer.create({ instance: { port, ip: '127.0.0.1' } });
  return {
    uri: mongod.getUri(),
    async crash() {
      mongod.instanceInfo?.instance.mongodProcess?.kill('SIGKILL');
      await mongod.stop();
    },
    async stop() {
      await mongod.stop();
    },
  };
}

/**
 * mongo-java-server (the bench's in-memory stand-in, built by scripts/mongo-java-server.sh on first use), for
 * tests of what FAS needs of every store it is measured on.
 */
export async function startMongoJavaServer(): Promise<{ uri: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fas-mongo-java-server-'));
  const { stdout } = await run(mongoJavaServerScript, ['start', dir]);
  return {
    uri: stdout.trim(),
    async stop() {
      await run(mongoJavaServerScript, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
