import type { MongoMemoryServer } from 'mongodb-memory-server-core';

declare global {
  // Shared with globalTeardown, which runs in the same process.
  var __MONGOD__: MongoMemoryServer | undefined;
}

/** Tests use MONGODB_URI when set; otherwise a mongod from mongodb-memory-server (downloaded on first use). */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  try {
    globalThis.__MONGOD__ = await MongoMemoryServer.create();
  } catch (err) {
    throw new Error(
      `MONGODB_URI is not set and mongodb-memory-server could not start a mongod (${(err as Error).message}). ` +
        'Point MONGODB_URI at a MongoDB, or start FerretDB: ' +
        'MONGODB_URI=$(scripts/ferretdb.sh start "$(mktemp -d)") npm test',
    );
  }
  process.env.MONGODB_URI = globalThis.__MONGOD__.getUri();
}
