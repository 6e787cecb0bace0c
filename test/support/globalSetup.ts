const { startEmbeddedMongo } = require('../../scripts/embedded-mongo.js') as {
  startEmbeddedMongo(): Promise<{ uri: string; server: 'mongod' | 'ferretdb'; stop(): Promise<void> }>;
};

declare global {
  // Shared with globalTeardown, which runs in the same process.
  var __EMBEDDED_MONGO__: { stop(): Promise<void> } | undefined;
}

/**
 * Tests use MONGODB_URI when set; otherwise a mongod from mongodb-memory-server, or FerretDB where no mongod can
 * be downloaded. Workers inherit the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const mongo = await startEmbeddedMongo();
  globalThis.__EMBEDDED_MONGO__ = mongo;
  process.env.MONGODB_URI = mongo.uri;
  if (mongo.server === 'ferretdb') process.env.TEST_MONGO_SERVER = 'ferretdb';
}
