// The MongoDB-wire servers a bench run measures against, each started and stopped by its script, with the
// CPU time of its process: FerretDB for the small key space, mongo-java-server for the 50,000 keys,
// or whatever MONGODB_URI names, for both.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { processCpuSeconds } from '../process-stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The servers the bench starts itself, and the agent key space each one runs by default. */
export const localStores = {
  // Upserts look their document up by _id (scripts/ferretdb-patches/), in time that does not grow with the
  // collection: the real key space.
  ferretdb: {
    label: 'FerretDB',
    name: 'FerretDB v1.24.2, SQLite backend (scripts/ferretdb.sh), same machine',
    script: 'scripts/ferretdb.sh',
    pidFile: 'ferretdb.pid',
    keys: 50_000,
    // Its reads decode and sort every document of the collection in Go (only an _id equality reaches SQLite):
    // a 50,000-key hour passes the service's 5 s query timeout before its first row, and 24 hours of them
    // would take minutes a read. Its reads run on smaller hours.
    readKeys: [1_000],
    rangeKeys: 2_000,
    monthKeys: 200,
  },
  // In memory, upserts through its unique index in constant time: FAS's own cost at the real key space. It is
  // no judge of MongoDB's speed, nor of correctness (no sessions, so no retryable writes; no write concern).
  'mongo-java-server': {
    label: 'mongo-java-server',
    name: 'mongo-java-server 1.47.0, memory backend (scripts/mongo-java-server.sh), same machine',
    script: 'scripts/mongo-java-server.sh',
    pidFile: 'mongo-java-server.pid',
    keys: 50_000,
    readKeys: [1_000, 50_000],
    rangeKeys: 50_000,
    monthKeys: 2_000,
    // A JVM compiles its hot code during its first seconds of load, CPU that would land in the first scenario.
    warm: true,
  },
};

/** The store with a client of the bench's own, for seeding reads and dropping each scenario's collection. */
async function connected(store) {
  const client = new MongoClient(store.uri);
  await client.connect();
  return {
    ...store,
    client,
    async stop() {
      await client.close();
      store.stop();
    },
  };
}

/**
 * Starts a store ('ferretdb', 'mongo-java-server') or connects to `uri` ('uri', named `server`; default
 * MONGODB_URI): its URI, its names, a client, and cpuSeconds() of its process when the bench started it
 * (none for a URI, whose process is not ours to read).
 */
export async function startStore(kind, server, uri = process.env.MONGODB_URI) {
  if (kind === 'uri') {
    return connected({
      kind,
      label: server ?? 'MONGODB_URI',
      name: server ?? 'MongoDB at MONGODB_URI',
      uri,
      cpuSeconds: undefined,
      stop() {},
    });
  }
  const spec = localStores[kind];
  const started = startScriptedServer(spec.script, spec.pidFile, kind);
  return connected({
    kind,
    label: spec.label,
    name: spec.name,
    uri: started.url,
    cpuSeconds: () => processCpuSeconds(started.pid),
    warm: spec.warm ?? false,
    stop: started.stop,
  });
}

/**
 * Starts a server with its project script (`SCRIPT start DIR` prints its URL, DIR/PIDFILE holds its PID) in
 * a fresh directory: its URL, PID, and stop(), which stops it by that PID and removes the directory. The
 * directory is searchable by others, for servers that run as a user of their own (scripts/postgres.sh).
 */
export function startScriptedServer(script, pidFile, name) {
  const dir = mkdtempSync(join(tmpdir(), `fas-bench-${name}-`));
  chmodSync(dir, 0o711);
  const path = join(root, script);
  try {
    const url = execFileSync(path, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    return {
      url,
      dir,
      pid: Number(readFileSync(join(dir, pidFile), 'utf8')),
      stop() {
        execFileSync(path, ['stop', dir]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Bytes allocated on disk under a directory (du), for a server the bench started. */
export function directoryBytes(dir) {
  return Number(execFileSync('du', ['-s', '--block-size=1', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** A URL without its password, for a report. */
export function withoutPassword(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
