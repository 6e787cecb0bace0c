import { Readable } from 'node:stream';
import Router from '@koa/router';
import { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HopReport } from '../routing/peerLink';
import { JanitorReport } from '../exactlyOnce/slotJanitor';
import { FlushReport } from '../storage/groupCommit';
import { SweepReport } from '../storage/retentionSweep';

// Commands that write to the collection; everything else the driver sends (find, getMore, hello) is a read.
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete']);

// Batches go from 1 record to FLUSH_MAX_RECORDS (default 5,000) and flushes take from about a millisecond
// to seconds, so both scales are exponential.
const SIZE_BUCKETS = [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics, in a registry of its own rather than prom-client's global one, so that
 * several services in one process (as the tests run them) never register the same name twice.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly requestSeconds = new Histogram({
    name: 'fas_http_request_duration_seconds',
    help: 'HTTP request duration, by matched route (never the raw URL), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readonly flowsIngested = new Counter({
    name: 'fas_flows_ingested_total',
    help: 'Flow records applied by POSTs answered 200 (a repeat with an Idempotency-Key adds none), by client when authentication is on',
    labelNames: ['client'] as const,
    registers: [this.registry],
  });

  private readonly flushRecords = this.histogram('fas_flush_records', 'Records summed into one flush', SIZE_BUCKETS);

  private readonly flushKeys = this.histogram('fas_flush_keys', 'Distinct keys written by one flush', SIZE_BUCKETS);

  private readonly flushUpserts = this.histogram(
    'fas_flush_upserts',
    'Upserts sent by one acknowledged flush: one per key, and one per roll-up document its keys fall in',
    SIZE_BUCKETS,
  );

  private readonly flushSeconds = this.histogram(
    'fas_flush_duration_seconds',
    'Time from the start of a flush to its acknowledgement or failure',
    SECONDS_BUCKETS,
  );

  private readonly mongoErrors = new Counter({
    name: 'fas_mongodb_errors_total',
    help: 'Failed MongoDB operations: flushes, reads and retention sweeps',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  private readonly writeCommands = new Counter({
    name: 'fas_mongodb_write_commands_total',
    help: 'Write commands sent to MongoDB, one per command the driver sends',
    labelNames: ['command'] as const,
    registers: [this.registry],
  });

  private readonly retentionDeleted = new Counter({
    name: 'fas_retention_deleted_total',
    help: 'Hourly roll-ups (one document per key and hour) deleted by the retention sweep',
    registers: [this.registry],
  });

  private readonly forwards = new Counter({
    name: 'fas_hop_forwards_total',
    help: 'Parts forwarded to the members that own their keys, by outcome: acknowledged there, written here instead because the member was unreachable or refused it, or failed (may have been applied)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly forwardedRecords = new Counter({
    name: 'fas_hop_forwarded_records_total',
    help: 'Records in the parts forwarded to other members, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly receivedParts = new Counter({
    name: 'fas_hop_received_parts_total',
    help: 'Parts other members forwarded here and this member acknowledged',
    registers: [this.registry],
  });

  private readonly receivedRecords = new Counter({
    name: 'fas_hop_received_records_total',
    help: 'Records in the parts other members forwarded here and this member acknowledged',
    registers: [this.registry],
  });

  private readonly notOwnedKeys = new Counter({
    name: 'fas_hop_not_owned_keys_total',
    help: 'Keys of forwarded parts this member does not own in its view of the fleet, written anyway',
    registers: [this.registry],
  });

  private readonly keyedParts = new Counter({
    name: 'fas_idempotent_parts_total',
    help: 'Parts of requests with an Idempotency-Key, by what their flush found: applied by it, done by an earlier attempt, pending (an earlier attempt still being written), conflict (other records), resplit (split over other members)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly recoveredFlushes = new Counter({
    name: 'fas_idempotent_flushes_recovered_total',
    help: 'Flushes with Idempotency-Keys left in flight (a failed write, a member gone) completed from their journal',
    registers: [this.registry],
  });

  private readonly forgottenKeys = new Counter({
    name: 'fas_idempotency_keys_forgotten_total',
    help: 'Idempotency-Keys forgotten after IDEMPOTENCY_TTL_HOURS',
    registers: [this.registry],
  });

  constructor(pendingRecords: () => number, fleet: () => readonly string[] = () => []) {
    new Gauge({
      name: 'fas_fleet_members',
      help: 'Members of the fleet as this member sees them',
      registers: [this.registry],
      collect() {
        this.set(fleet().length);
      },
    });
    new Gauge({
      name: 'fas_fleet_view',
      help: 'A hash of the member list this member sees: members that agree show the same value',
      registers: [this.registry],
      collect() {
        this.set(viewHash(fleet()));
      },
    });
    new Gauge({
      name: 'fas_pending_records',
      help: 'Records accepted and not yet acknowledged by MongoDB',
      registers: [this.registry],
      collect() {
        this.set(pendingRecords());
      },
    });
    // The event-loop delay histogram samples on a timer; prom-client's default of every 10 ms wakes an idle
    // process 100 times a second (5 ms of CPU per second here). Every 100 ms still gives hundreds of samples
    // per scrape interval.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
  }

  /** An unlabelled histogram in this service's registry. */
  private histogram(name: string, help: string, buckets: number[]): Histogram {
    return new Histogram({ name, help, buckets, registers: [this.registry] });
  }

  /** For the group commit's onFlush: sizes and duration of every flush, failures. */
  flushed(report: FlushReport): void {
    this.flushRecords.observe(report.records);
    this.flushKeys.observe(report.keys);
    if (report.upserts !== undefined) this.flushUpserts.observe(report.upserts);
    this.flushSeconds.observe(report.durationMs / 1000);
    if (report.error !== undefined) this.mongoErrors.inc({ operation: 'flush' });
    report.outcomes?.forEach((outcome) => this.keyedParts.inc({ outcome: outcome.kind }));
  }

  /**
   * For a POST answered 200, with the records it applied. The client label is a name from the tokens file or
   * a service account's, never free text, so it stays bounded; without authentication the series has no label.
   */
  ingested(records: number, client: string | undefined): void {
    this.flowsIngested.inc(client === undefined ? {} : { client }, records);
  }

  /** For the retention sweep: what it deleted, and its failures. */
  swept(report: SweepReport): void {
    this.retentionDeleted.inc(report.deleted);
    if (report.error !== undefined) this.mongoErrors.inc({ operation: 'retention' });
  }

  /** For the janitor of idempotency keys: flushes it completed, keys it forgot. */
  janitorSwept(report: JanitorReport): void {
    this.recoveredFlushes.inc(report.recovered);
    this.forgottenKeys.inc(report.forgotten);
    if (report.error !== undefined) this.mongoErrors.inc({ operation: 'idempotency' });
  }

  /** For the router: each forward to another member and how it ended. */
  hopped(report: HopReport): void {
    this.forwards.inc({ outcome: report.outcome });
    this.forwardedRecords.inc({ outcome: report.outcome }, report.records);
  }

  /** For the parts route: a part another member forwarded, acknowledged here. */
  partReceived(records: number, notOwned: number): void {
    this.receivedParts.inc();
    this.receivedRecords.inc(records);
    this.notOwnedKeys.inc(notOwned);
  }

  readFailed(): void {
    this.mongoErrors.inc({ operation: 'read' });
  }

  /** For the driver's commandStarted events (the client needs monitorCommands: true). */
  commandStarted(commandName: string): void {
    if (WRITE_COMMANDS.has(commandName)) this.writeCommands.inc({ command: commandName });
  }

  /**
   * Times every request to its last byte. The route label is the router's matched path, so a scan of random
   * URLs adds one "unmatched" series, not one per URL.
   */
  requestTimer(): Middleware {
    return async (ctx, next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        const observe = () => {
          const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
          this.requestSeconds.observe(
            { route: route === undefined ? 'unmatched' : String(route), method: ctx.method, status: ctx.status },
            (performance.now() - started) / 1000,
          );
        };
        // A streamed body (GET of an hour) is still being sent when the middleware returns.
        if (ctx.body instanceof Readable && !ctx.res.writableFinished) ctx.res.once('close', observe);
        else observe();
      }
    };
  }

  /** GET /metrics in the Prometheus text format. */
  routes(): Router {
    const router = new Router();
    router.get('/metrics', async (ctx) => {
      ctx.type = this.registry.contentType;
      ctx.body = await this.registry.metrics();
    });
    return router;
  }
}

/** A 31-bit hash of a member list: a gauge value, exact as a double, equal for equal lists. */
function viewHash(members: readonly string[]): number {
  let hash = 0;
  for (const c of members.join('\n')) hash = (Math.imul(hash, 31) + c.charCodeAt(0)) | 0;
  return hash & 0x7fffffff;
}
