import Joi from 'joi';

/** Every setting of the service. Each has an environment variable (the key in UPPER_SNAKE_CASE). */
export interface Settings {
  port: number;
  host: string;
  mongodbUri: string;
  mongodbDatabase: string;
  mongodbCollection: string;
  /** "majority" or a number of acknowledging members (≥ 1: an unacknowledged write could be lost). */
  mongodbWriteConcern: string | number;
  mongodbServerSelectionTimeoutMs: number;
  mongodbConnectRetryMs: number;
  mongodbHeartbeatFrequencyMs: number;
  /** Shard the collection at start-up (through mongos) on the bucket-led key. */
  mongodbShardCollection: boolean;
  flushWindowMs: number;
  flushMaxRecords: number;
  pendingMaxRecords: number;
  bodyLimit: string;
  maxRecordsPerBatch: number;
  retryAfterSeconds: number;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => Joi.number().integer().min(min).max(max);

export const settingsSchema = Joi.object<Settings, true>({
  port: int(0, 65535).default(9527),
  host: Joi.string().default('0.0.0.0'),
  mongodbUri: Joi.string()
    .pattern(/^mongodb(\+srv)?:\/\//)
    .required()
    .messages({ 'string.pattern.base': '{{#label}} must start with mongodb:// or mongodb+srv://' }),
  mongodbDatabase: Joi.string().pattern(/^[^/\\. "$*<>:|?]{1,63}$/).default('fas'),
  mongodbCollection: Joi.string().pattern(/^[^$\0]{1,120}$/).default('flows_hourly'),
  mongodbWriteConcern: Joi.alternatives(Joi.string().valid('majority'), int(1, 50)).default('majority'),
  mongodbServerSelectionTimeoutMs: int(100).default(5000),
  mongodbConnectRetryMs: int(100).default(2000),
  // How soon readiness notices a MongoDB that went away without closing its connections.
  mongodbHeartbeatFrequencyMs: int(500).default(5000),
  mongodbShardCollection: Joi.boolean().default(false),
  flushWindowMs: int(0, 10_000).default(5),
  flushMaxRecords: int(1, 1_000_000).default(20_000),
  pendingMaxRecords: int(1).default(200_000),
  bodyLimit: Joi.string()
    .pattern(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i)
    .default('5mb')
    .messages({ 'string.pattern.base': '{{#label}} must be a size such as 512kb or 5mb' }),
  maxRecordsPerBatch: int(1, 1_000_000).default(10_000),
  retryAfterSeconds: int(1, 3600).default(1),
  shutdownDelayMs: int(0, 600_000).default(5000),
  shutdownTimeoutMs: int(0, 600_000).default(20_000),
  logLevel: Joi.string().valid('error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly').default('info'),
})
  // A batch larger than the pending cap could never be admitted.
  .custom((settings: Settings, helpers) =>
    settings.pendingMaxRecords < settings.maxRecordsPerBatch
      ? helpers.message({ custom: 'PENDING_MAX_RECORDS must be at least MAX_RECORDS_PER_BATCH' })
      : settings,
  );

/** The environment variable that sets a setting: mongodbUri → MONGODB_URI. */
export function envName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

export const settingKeys = Object.keys(settingsSchema.describe().keys) as (keyof Settings)[];
