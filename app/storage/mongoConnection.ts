import { MongoClient, W } from 'mongodb';
import { Logger } from 'winston';
import { Settings } from '../config/settings';
import { describeError } from '../logger';
import { FlowCollections } from './flowCollections';
import { hasLegacyDocuments } from './legacyMigration';
import { recordCoverage } from './rollupCoverage';

/** MongoDB is known to be unreachable, or the indexes are not ensured yet: nothing is tried. */
export class StorageUnavailableError extends Error {}

/**
 * Owns the MongoDB client: connects in the background (the service starts while MongoDB is down), ensures
 * the indexes, then follows the driver's server monitoring so readiness drops while no server can take writes.
 */
export class MongoConnection {
  readonly client: MongoClient;
  readonly collections: FlowCollections;
  private writable = false;
  private indexesReady = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    this.client = new MongoClient(settings.mongodbUri, {
      appName: 'fas',
      serverSelectionTimeoutMS: settings.mongodbServerSelectionTimeoutMs,
      heartbeatFrequencyMS: settings.mongodbHeartbeatFrequencyMs,
      // A MongoDB that accepts connections but stops answering fails operations instead of holding them.
      connectTimeoutMS: settings.mongodbSocketTimeoutMs,
      socketTimeoutMS: settings.mongodbSocketTimeoutMs,
      writeConcern: { w: settings.mongodbWriteConcern as W, wtimeoutMS: settings.mongodbWriteTimeoutMs },
      // Command events count the write commands actually sent (fas_mongodb_write_commands_total). Each event
      // is a shallow copy of the command, once per command, never per document.
      monitorCommands: true,
    });
    this.client.on('topologyDescriptionChanged', ({ newDescription }) => {
      const writable = [...newDescription.servers.values()].some((server) => server.isWritable);
      if (writable !== this.writable) {
        this.logger.log(writable ? 'info' : 'warn', writable ? 'mongodb reachable' : 'mongodb unreachable');
      }
      this.writable = writable;
    });
    this.collections = new FlowCollections(this.client.db(settings.mongodbDatabase), settings.mongodbCollection);
  }

  /** Ready when a writable server is known and the indexes exist. */
  get ready(): boolean {
    return this.writable && this.indexesReady && !this.stopped;
  }

  /** Starts connecting; retries until the indexes are ensured. Never throws. */
  start(): void {
    void this.ensureIndexes();
  }

  private async ensureIndexes(): Promise<void> {
    try {
      await this.collections.ensureIndexes();
      if (this.settings.mongodbShardCollection) await this.shardCollection();
      await this.coverFromTheStart();
      this.indexesReady = true;
      this.logger.info('mongodb indexes ensured', {
        database: this.settings.mongodbDatabase,
        collection: this.settings.mongodbCollection,
      });
      if (await hasLegacyDocuments(this.collections.keys)) {
        this.logger.warn('documents written by FAS 0.1 may remain: run `node dist/migrate.js` (README, Upgrading)');
      }
    } catch (err) {
      if (this.stopped) return;
      this.logger.warn('mongodb not ready, retrying', {
        ...describeError(err),
        retryInMs: this.settings.mongodbConnectRetryMs,
      });
      this.retryTimer = setTimeout(() => void this.ensureIndexes(), this.settings.mongodbConnectRetryMs);
    }
  }

  /**
   * A collection without documents yet is written by versions that keep the roll-ups from its first record:
   * they cover every hour. Otherwise an older version may have written hours without them, and they cover
   * hours only once `node dist/migrate.js` says from which (README, Upgrading).
   */
  private async coverFromTheStart(): Promise<void> {
    const { coverage, keys } = this.collections;
    if (await coverage.findOne({})) return;
    if (await keys.findOne({}, { projection: { _id: 1 } })) {
      this.logger.warn('roll-ups cover no hour yet: run `node dist/migrate.js` once every replica runs this version (README, Upgrading)');
      return;
    }
    await recordCoverage(coverage, 0);
  }

  /**
   * Shards on the hashed _id: every upsert's filter is an equality on _id, so mongos routes each to one shard,
   * and the hash spreads the current hour's keys over every shard. Idempotent: MongoDB 5+ answers ok when the
   * collection is already sharded on this key. The hashed index comes first, for a collection that holds data.
   */
  private async shardCollection(): Promise<void> {
    const namespace = `${this.settings.mongodbDatabase}.${this.settings.mongodbCollection}`;
    await this.collections.keys.createIndex({ _id: 'hashed' });
    await this.client.db('admin').command({ shardCollection: namespace, key: { _id: 'hashed' } });
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client.close();
  }
}
