import http from 'node:http';
import bytes from 'bytes';
import { createTerminus, HealthCheckError } from '@godaddy/terminus';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from 'winston';
import { randomUUID } from 'node:crypto';
import { createAuthenticator } from './auth/authenticator';
import { Settings } from './config/settings';
import { oldestKeptHour } from './data/retention';
import { FlushJournal } from './exactlyOnce/flushJournal';
import { KeyedFlushes } from './exactlyOnce/keyedFlush';
import { SlotJanitor } from './exactlyOnce/slotJanitor';
import { WriterSlot } from './exactlyOnce/writerSlot';
import { describeError } from './logger';
import { FlowRouter } from './routing/flowRouter';
import { Membership } from './routing/members';
import { createApp, createHopApp, createMetricsApp } from './server/app';
import { frontDoor } from './server/frontDoor';
import { ServiceMetrics } from './server/metrics';
import { FlowReads } from './reads/flowReads';
import { FlowStore } from './storage/flowStore';
import { MongoConnection } from './storage/mongoConnection';
import { RetentionSweep } from './storage/retentionSweep';
import { RollupCoverage } from './storage/rollupCoverage';

/** Logs a background operation's report: as an error with its cause when it failed, else at `level`. */
function logOutcome(logger: Logger, what: string, { error, ...report }: { error?: unknown }, level: string): void {
  if (error) logger.error(`${what} failed`, { ...report, ...describeError(error) });
  else logger.log(level, what, report);
}

/** How soon replicas see the roll-ups' coverage that `node dist/migrate.js` records. */
const COVERAGE_RECHECK_MS = 10_000;

export interface Service {
  server: http.Server;
  /** The members' own endpoint (HOP_PORT), in a fleet: the server.listen() of the caller starts it too. */
  hopServer?: http.Server;
  connection: MongoConnection;
  store: FlowStore;
  reads: FlowReads;
  /** Routes each record to the fleet member that owns its key; the store alone when there is no fleet. */
  router: FlowRouter;
  metrics: ServiceMetrics;
  /** Present when RETENTION_HOURS is set. */
  retention?: RetentionSweep;
  /** GET /metrics on METRICS_PORT, when it is set; started by its own listen(), like `server`. */
  metricsServer?: http.Server;
  /** Connects to MongoDB and starts the retention sweep; the server is started by its own listen(). */
  start(): void;
  /** Stops the sweep, writes everything pending, and releases MongoDB: the end of a shutdown. */
  close(): Promise<void>;
}

/**
 * Wires the service: MongoDB connection, flow store, retention sweep, Koa app, and an HTTP server whose
 * probes and graceful shutdown are terminus's. Nothing is started: call start() and server.listen(). Tests
 * that run several services in one process pass no signals and close them themselves; tests of retention
 * pass a clock of their own.
 */
export function createService(
  settings: Settings,
  logger: Logger,
  signals: string[] = ['SIGTERM', 'SIGINT'],
  now: () => number = Date.now,
): Service {
  const connection = new MongoConnection(settings, logger);
  const membership = new Membership(settings, logger);
  // The gauges read the router and the fleet only when scraped, by which time both exist.
  const metrics = new ServiceMetrics(
    () => router.pendingRecords,
    () => membership.view.members,
  );
  connection.client.on('commandStarted', ({ commandName }) => metrics.commandStarted(commandName));
  const { collections } = connection;
  // This process, as the writer slots name their holder: a restarted pod is a new writer.
  const holder = randomUUID();
  const slot = new WriterSlot(collections.writers, holder, settings.idempotencyLeaseMs, now);
  const journal = new FlushJournal(collections.journal, now);
  let keyedFlushes!: KeyedFlushes;
  const store = new FlowStore(
    connection.client,
    connection.collections,
    {
      windowMs: settings.flushWindowMs,
      maxRecords: settings.flushMaxRecords,
      pendingMaxRecords: settings.pendingMaxRecords,
      timeoutMs: settings.flushTimeoutMs,
    },
    (flush) => {
      metrics.flushed(flush);
      logOutcome(logger, 'flush', flush, 'debug');
    },
    (apply) => (keyedFlushes = new KeyedFlushes(connection.client, collections.claims, collections.writers, journal, slot, apply, now)),
  );
  const janitor = new SlotJanitor(collections.writers, collections.claims, journal, keyedFlushes, {
    holder,
    leaseMs: settings.idempotencyLeaseMs,
    ttlHours: settings.idempotencyTtlHours,
    ready: () => connection.ready,
    onSweep: (sweep) => {
      metrics.janitorSwept(sweep);
      logOutcome(logger, 'idempotency janitor', sweep, sweep.recovered > 0 ? 'info' : 'debug');
    },
    now,
  });
  const oldestKept = () => (settings.retentionHours > 0 ? oldestKeptHour(settings.retentionHours, now()) : 0);
  const reads = new FlowReads(connection.collections, new RollupCoverage(connection.collections.coverage, COVERAGE_RECHECK_MS), {
    queryTimeoutMs: settings.mongodbQueryTimeoutMs,
    oldestKept,
  });
  const router = new FlowRouter(
    store,
    membership,
    {
      windowMs: settings.hopWindowMs,
      timeoutMs: settings.hopTimeoutMs,
      maxKeys: settings.maxRecordsPerBatch,
      maxBytes: bytes.parse(settings.bodyLimit) ?? Number.MAX_SAFE_INTEGER,
      pendingMaxRecords: settings.pendingMaxRecords,
    },
    (hop) => {
      metrics.hopped(hop);
      if (hop.outcome !== 'acknowledged') logger.warn('forward not acknowledged by its member', hop);
    },
  );
  const retention =
    settings.retentionHours > 0
      ? new RetentionSweep(connection.collections.swept(), {
          intervalMs: settings.retentionSweepIntervalMs,
          oldestHour: oldestKept,
          ready: () => connection.ready,
          onSweep: (sweep) => {
            metrics.swept(sweep);
            logOutcome(logger, 'retention sweep', sweep, sweep.deleted > 0 ? 'info' : 'debug');
          },
        })
      : undefined;
  const serve = (listener: http.RequestListener) =>
    http.createServer(
      {
        headersTimeout: settings.httpHeadersTimeoutMs,
        requestTimeout: settings.httpRequestTimeoutMs,
        keepAliveTimeout: settings.httpKeepAliveTimeoutMs,
        // Node enforces the two timeouts above only when it checks, every 30 s by default: a slow client could
        // outlive them by that much.
        connectionsCheckingInterval: Math.min(1000, settings.httpHeadersTimeoutMs),
      },
      listener,
    );
  // Throws when the tokens file cannot be read at start: there is no previous set of clients to keep.
  const authenticator = createAuthenticator(settings, logger);
  const server = serve(createApp(reads, router, () => connection.ready, settings, logger, metrics, { authenticator, now }).callback());
  const hopServer = membership.isFleet
    ? serve(createHopApp(router, () => connection.ready, settings, logger, metrics, now).callback())
    : undefined;
  const metricsServer = settings.metricsPort ? http.createServer(createMetricsApp(metrics).callback()) : undefined;
  if (metricsServer) frontDoor(metricsServer, []);
  const close = async () => {
    membership.stop();
    metricsServer?.close();
    authenticator?.close();
    await retention?.stop();
    // Parts still arriving are refused before anything of them is queued, so their senders write them.
    const hopClosed = new Promise<void>((resolve) => (hopServer?.listening ? hopServer.close(() => resolve()) : resolve()));
    hopServer?.closeIdleConnections();
    await store.drain();
    await janitor.stop();
    // Another member may take the slot at once; a flush this one left in flight is completed by whoever does.
    await keyedFlushes.close().catch((err: unknown) => logger.warn('writer slot not released', describeError(err)));
    await hopClosed;
    router.close();
    await connection.close();
  };

  createTerminus(server, {
    healthChecks: {
      '/healthz': async () => ({}),
      '/readyz': async () => {
        if (!connection.ready) throw new HealthCheckError('not ready', { mongodb: 'unavailable' });
        return { mongodb: 'ok' };
      },
      verbatim: true,
    },
    signals,
    // Readiness already fails, and this member stops owning keys; give load balancers and the other members
    // time to stop sending here before refusing connections.
    beforeShutdown: async () => {
      membership.leave();
      await sleep(settings.shutdownDelayMs);
    },
    timeout: settings.shutdownTimeoutMs,
    // Requests still open have had their answers; write whatever is left, then release MongoDB.
    onSignal: async () => {
      logger.info('shutting down', { pendingRecords: router.pendingRecords });
      router.flush();
      await close();
    },
    onShutdown: async () => logger.info('shutdown complete'),
    useExit0: true,
    // Terminus reports every failed probe here; while MongoDB is away that is one line per probe.
    logger: (message, err) => logger.warn(message, describeError(err)),
  });

  frontDoor(server, ['/healthz', '/readyz']);

  return {
    server,
    hopServer,
    connection,
    store,
    reads,
    router,
    metrics,
    retention,
    metricsServer,
    start() {
      connection.start();
      membership.start();
      retention?.start();
      janitor.start();
    },
    close,
  };
}
