import { MongoClient } from 'mongodb';
import { ConfigError, loadSettings } from './config/load';
import { createLogger, describeError } from './logger';
import { migrateLegacyDocuments } from './storage/legacyMigration';

/**
 * `node dist/migrate.js`: moves the documents FAS 0.1 wrote into the shape this version reads and writes
 * (README, "Upgrading from 0.1"). Takes the service's own settings; exits 0 when nothing is left to move.
 */
async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createLogger(settings.logLevel);
  const client = new MongoClient(settings.mongodbUri, {
    appName: 'fas-migrate',
    writeConcern: { w: settings.mongodbWriteConcern as 'majority' | number },
  });
  try {
    const collection = client.db(settings.mongodbDatabase).collection(settings.mongodbCollection);
    const { moved } = await migrateLegacyDocuments(client, collection, (p) => logger.info('migrating', p));
    logger.info('migration complete', { moved });
  } catch (err) {
    logger.error('migration failed; running it again resumes it', describeError(err));
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`fas-migrate: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
