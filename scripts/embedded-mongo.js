// A MongoDB for development and tests when MONGODB_URI is not set: a mongod from mongodb-memory-server
// (downloaded on first use), or FerretDB through scripts/ferretdb.sh where no mongod can be downloaded.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ferretdb = join(__dirname, 'ferretdb.sh');

/** The mongod binary, downloaded on first use; undefined with the reason when it cannot be had. */
async function mongodBinary() {
  const { MongoBinary } = require('mongodb-memory-server-core');
  // One attempt tells a machine without internet access; retries would add seconds to every start there.
  process.env.MONGOMS_MAX_RETRIES ??= '1';
  try {
    return { path: await MongoBinary.getPath() };
  } catch (err) {
    const reason = String(err.message).split('\n').filter(Boolean).pop();
    return { reason };
  }
}

/**
 * Starts the store and says in one line which one and why.
 * @returns {Promise<{ uri: string, server: 'mongod' | 'ferretdb', stop: () => Promise<void> }>}
 */
async function startEmbeddedMongo(log = console.error) {
  const { path, reason } = await mongodBinary();
  if (path) {
    const { MongoMemoryServer } = require('mongodb-memory-server-core');
    const mongod = await MongoMemoryServer.create();
    log(`embedded store: mongod (${path}) at ${mongod.getUri()}`);
    return { uri: mongod.getUri(), server: 'mongod', stop: async () => void (await mongod.stop()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fas-ferretdb-'));
  const uri = execFileSync(ferretdb, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  log(`embedded store: FerretDB on SQLite at ${uri} (no mongod could be downloaded: ${reason})`);
  return {
    uri,
    server: 'ferretdb',
    stop: async () => {
      execFileSync(ferretdb, ['stop', dir], { stdio: 'inherit' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startEmbeddedMongo };
