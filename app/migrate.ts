import { MongoClient } from 'mongodb';
import { ConfigError, loadSettings } from './config/load';
import { createLogger, describeError } from './logger';
import { FlowCollections } from './storage/flowCollections';
import { migrateLegacyDocuments } from './storage/legacyMigration';
import { firstUnwrittenHour, recordCoverage } from './storage/rollupCoverage';

/**
 * `node dist/migrate.js`, once every replica runs this version: moves the documents FAS 0.1 wrote into the
 * shape this version reads and writes, then records from which hour the roll-ups hold every record (README,
 * "Upgrading"). Takes the service's own settings; exits 0 when nothing is left to do.
 */
async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createLogger(settings.logLevel);
  const client = new MongoClient(settings.mongodbUri, {
    appName: 'fas-migrate',
    writeConcern: { w: settings.mongodbWriteConcern as 'majority' | number },
  });
  try {
    const collections = new FlowCollections(client.db(settings.mongodbDatabase), settings.mongodbCollection);
    const { moved } = await migrateLegacyDocuments(client, collections.totals.keys, (p) => logger.info('migrating', p));
    await collections.ensureIndexes();
    const since = await recordCoverage(collections.coverage, await firstUnwrittenHour(collections.keys, Date.now()));
    logger.info('migration complete', { moved, rollupsCoverFromHour: since });
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
