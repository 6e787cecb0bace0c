// A MongoDB for development and tests when MONGODB_URI is not set: a mongod from mongodb-memory-server
// (downloaded on first use), or FerretDB through scripts/ferretdb.sh where no mongod can be downloaded.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ferretdb = join(__dirname, 'ferretdb.sh');

/** @returns {Promise<{ uri: string, server: 'mongod' | 'ferretdb', stop: () => Promise<void> }>} */
async function startEmbeddedMongo(log = console.error) {
  const { MongoMemoryServer } = require('mongodb-memory-server-core');
  try {
    const mongod = await MongoMemoryServer.create();
    return { uri: mongod.getUri(), server: 'mongod', stop: async () => void (await mongod.stop()) };
  } catch (err) {
    log(`mongodb-memory-server could not start a mongod (${err.message.split('\n')[0]}); starting FerretDB`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'fas-ferretdb-'));
  const uri = execFileSync(ferretdb, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return {
    uri: uri.trim(),
    server: 'ferretdb',
    stop: async () => {
      execFileSync(ferretdb, ['stop', dir], { stdio: 'inherit' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startEmbeddedMongo };
