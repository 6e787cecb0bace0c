import Joi from 'joi';

/** Every setting of the service. Each has an environment variable (the key in UPPER_SNAKE_CASE). */
export interface Settings {
  port: number;
  /** A port of its own for GET /metrics, so a NetworkPolicy can keep scraping apart; 0 serves it on `port`. */
  metricsPort: number;
  host: string;
  mongodbUri: string;
  mongodbDatabase: string;
  mongodbCollection: string;
  /** "majority" or a number of acknowledging members (≥ 1: an unacknowledged write could be lost). */
  mongodbWriteConcern: string | number;
  mongodbServerSelectionTimeoutMs: number;
  /** Longest wait for a connection to open or for any reply on it: a stalled MongoDB fails operations. */
  mongodbSocketTimeoutMs: number;
  /** maxTimeMS of the GET query: MongoDB stops a slow read itself. */
  mongodbQueryTimeoutMs: number;
  /** wtimeoutMS of the write concern: the longest wait for replication of a flush. */
  mongodbWriteTimeoutMs: number;
  mongodbConnectRetryMs: number;
  mongodbHeartbeatFrequencyMs: number;
  /** Shard the collection at start-up (through mongos) on the hashed _id. */
  mongodbShardCollection: boolean;
  flushWindowMs: number;
  flushMaxRecords: number;
  /** Longest a POST waits for the flush holding its records before it is answered 503. */
  flushTimeoutMs: number;
  pendingMaxRecords: number;
  bodyLimit: string;
  maxRecordsPerBatch: number;
  /** Longest range of hours one read may span. */
  maxQueryHours: number;
  /** Reads that cost whole hours (ranges, sorts, groups, an hour's stream) running at once, at most. */
  maxConcurrentReads: number;
  /** Hours of data kept before the current hour; 0 keeps everything. */
  retentionHours: number;
  /** Hours after the current one a record may carry; 0 accepts any hour. */
  maxFutureHours: number;
  /** How often the retention sweep deletes what has aged out. */
  retentionSweepIntervalMs: number;
  /** How long a request's Idempotency-Key is remembered (docs/exactly-once.md). */
  idempotencyTtlHours: number;
  /** A member's lease on its writer slot: after it, another member completes the flush it left in flight. */
  idempotencyLeaseMs: number;
  retryAfterSeconds: number;
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Serve the web console at / (off: the API only). */
  consoleEnabled: boolean;
  /** Port of the members' own endpoint, where they forward records to each other (never the public port). */
  hopPort: number;
  /** Every fleet member's hop endpoint (http://host:HOP_PORT), this one included (empty: a single pod). */
  peers: string;
  /** This member's hop endpoint as written in PEERS. */
  peerUrl: string;
  /** A DNS name that resolves to every ready member (Kubernetes: the chart's headless Service). */
  peerDnsName: string;
  /** This pod's address, with PEER_DNS_NAME (Kubernetes: the downward API's status.podIP). */
  podIp: string;
  /** How often PEER_DNS_NAME is resolved again. */
  peerRefreshMs: number;
  /** How long records for another member wait for company before they are forwarded. */
  hopWindowMs: number;
  /** Longest wait for a member to acknowledge forwarded records. */
  hopTimeoutMs: number;
  /** Clients and the SHA-256 of their bearer tokens, one `name:scopes:sha256hex` a line; '' for none. */
  authTokensFile: string;
  /** Issuer of the Kubernetes service-account tokens to accept; '' accepts none. */
  authIssuer: string;
  /** Audience those tokens must be bound to. */
  authAudience: string;
  /** Scopes of service accounts: `namespace/name:scopes` entries separated by spaces. */
  authServiceAccounts: string;
  /** A token FAS presents to the issuer's discovery endpoints (its own service account's); '' for none. */
  authIssuerTokenFile: string;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => Joi.number().integer().min(min).max(max);

export const settingsSchema = Joi.object<Settings, true>({
  port: int(0, 65535).default(9527),
  metricsPort: int(0, 65535).default(0),
  host: Joi.string().default('0.0.0.0'),
  mongodbUri: Joi.string()
    .pattern(/^mongodb(\+srv)?:\/\//)
    .required()
    .messages({ 'string.pattern.base': '{{#label}} must start with mongodb:// or mongodb+srv://' }),
  mongodbDatabase: Joi.string().pattern(/^[^/\\. "$*<>:|?]{1,63}$/).default('fas'),
  mongodbCollection: Joi.string().pattern(/^[^$\0]{1,120}$/).default('flows_hourly'),
  mongodbWriteConcern: Joi.alternatives(Joi.string().valid('majority'), int(1, 50)).default('majority'),
  mongodbServerSelectionTimeoutMs: int(100).default(5000),
  mongodbSocketTimeoutMs: int(100).default(10_000),
  mongodbQueryTimeoutMs: int(1).default(5000),
  mongodbWriteTimeoutMs: int(1).default(5000),
  mongodbConnectRetryMs: int(100).default(2000),
  // How soon readiness notices a MongoDB that went away without closing its connections.
  mongodbHeartbeatFrequencyMs: int(500).default(5000),
  mongodbShardCollection: Joi.boolean().default(false),
  flushWindowMs: int(0, 10_000).default(10),
  flushMaxRecords: int(1, 1_000_000).default(5000),
  flushTimeoutMs: int(100, 600_000).default(10_000),
  pendingMaxRecords: int(1).default(200_000),
  bodyLimit: Joi.string()
    .pattern(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i)
    .default('5mb')
    .messages({ 'string.pattern.base': '{{#label}} must be a size such as 512kb or 5mb' }),
  maxRecordsPerBatch: int(1, 1_000_000).default(10_000),
  maxQueryHours: int(1, 87_600).default(744),
  // Two console views at once (each reads three ranges together) and a script; 16 whole-hour reads of
  // 100,000 keys at once starved a pod's probes.
  maxConcurrentReads: int(1, 1000).default(8),
  retentionHours: int(0, 2_147_483_647).default(0),
  // A day covers any clock skew and an agent reporting its timezone's hour as UTC.
  maxFutureHours: int(0, 2_147_483_647).default(24),
  retentionSweepIntervalMs: int(1000, 86_400_000).default(300_000),
  idempotencyTtlHours: int(1, 8760).default(24),
  idempotencyLeaseMs: int(1000, 600_000).default(15_000),
  retryAfterSeconds: int(1, 3600).default(1),
  // Node's defaults (60 s for headers, 5 min for a request) let a slow client hold a socket for minutes.
  httpHeadersTimeoutMs: int(100, 600_000).default(10_000),
  httpRequestTimeoutMs: int(100, 600_000).default(30_000),
  httpKeepAliveTimeoutMs: int(100, 600_000).default(5000),
  shutdownDelayMs: int(0, 600_000).default(5000),
  shutdownTimeoutMs: int(0, 600_000).default(20_000),
  logLevel: Joi.string().valid('error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly').default('info'),
  consoleEnabled: Joi.boolean().default(true),
  hopPort: int(0, 65535).default(9528),
  peers: Joi.string().allow('').default(''),
  peerUrl: Joi.string().allow('').default(''),
  peerDnsName: Joi.string().hostname().allow('').default(''),
  podIp: Joi.string().ip({ cidr: 'forbidden' }).allow('').default(''),
  peerRefreshMs: int(500, 600_000).default(5000),
  hopWindowMs: int(0, 10_000).default(10),
  hopTimeoutMs: int(100, 600_000).default(10_000),
  authTokensFile: Joi.string().allow('').default(''),
  authIssuer: Joi.string().uri({ scheme: ['https', 'http'] }).allow('').default(''),
  authAudience: Joi.string().default('fas'),
  authServiceAccounts: Joi.string()
    .allow('')
    .pattern(/^\s*([a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*:(read|write)(,(read|write))?(\s+|$))*$/)
    .default('')
    .messages({ 'string.pattern.base': '{{#label}} must be namespace/name:scopes entries (scopes: read, write) separated by spaces' }),
  authIssuerTokenFile: Joi.string().allow('').default(''),
})
  .custom((settings: Settings, helpers) => {
    const problem = inconsistency(settings);
    return problem ? helpers.message({ custom: problem }) : settings;
  });

/** Settings that are each valid but contradict one another. */
function inconsistency(s: Settings): string | undefined {
  // A batch larger than the pending cap could never be admitted.
  if (s.pendingMaxRecords < s.maxRecordsPerBatch) return 'PENDING_MAX_RECORDS must be at least MAX_RECORDS_PER_BATCH';
  // A batch must get a chance to be written before its requests are given up on.
  if (s.flushTimeoutMs <= s.flushWindowMs) return 'FLUSH_TIMEOUT_MS must be greater than FLUSH_WINDOW_MS';
  // Otherwise the socket timeout would cut MongoDB off before it can report its own, clearer timeout.
  if (s.mongodbSocketTimeoutMs <= Math.max(s.mongodbQueryTimeoutMs, s.mongodbWriteTimeoutMs)) {
    return 'MONGODB_SOCKET_TIMEOUT_MS must be greater than MONGODB_QUERY_TIMEOUT_MS and MONGODB_WRITE_TIMEOUT_MS';
  }
  const fleet = fleetInconsistency(s);
  if (fleet) return fleet;
  // Node requires it: a request's headers are part of the request.
  if (s.httpHeadersTimeoutMs > s.httpRequestTimeoutMs) {
    return 'HTTP_HEADERS_TIMEOUT_MS must not be greater than HTTP_REQUEST_TIMEOUT_MS';
  }
  return undefined;
}

/** A fleet is named one way (PEERS with PEER_URL, or PEER_DNS_NAME with POD_IP) and names this member. */
function fleetInconsistency(s: Settings): string | undefined {
  if (s.peers && s.peerDnsName) return 'set PEERS or PEER_DNS_NAME, not both';
  if (Boolean(s.peers) !== Boolean(s.peerUrl)) return 'PEERS and PEER_URL go together';
  if (Boolean(s.peerDnsName) !== Boolean(s.podIp)) return 'PEER_DNS_NAME and POD_IP go together';
  if (!s.peers) return undefined;
  const members = peerList(s.peers);
  const invalid = members.find((url) => !/^https?:\/\/[^/?#\s]+$/.test(url));
  if (invalid !== undefined) return `PEERS must be base URLs such as http://10.0.0.7:9527, not ${invalid}`;
  if (!members.includes(normalizeUrl(s.peerUrl))) return `PEER_URL ${s.peerUrl} is not one of PEERS`;
  if (s.hopPort !== 0 && new URL(s.peerUrl).port !== String(s.hopPort)) {
    return `PEER_URL ${s.peerUrl} must name this member's HOP_PORT ${s.hopPort}`;
  }
  if (s.hopPort === s.port && s.port !== 0) return 'HOP_PORT must differ from PORT: the hop is not public';
  return undefined;
}

/** A base URL as members are compared: without a trailing slash. */
export function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** The members PEERS names, normalized, each once. */
export function peerList(peers: string): string[] {
  return [...new Set(peers.split(',').map(normalizeUrl).filter(Boolean))];
}

/** The environment variable that sets a setting: mongodbUri → MONGODB_URI. */
export function envName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

export const settingKeys = Object.keys(settingsSchema.describe().keys) as (keyof Settings)[];
