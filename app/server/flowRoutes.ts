import Router from '@koa/router';
import { Context } from 'koa';
import { Authenticator } from '../auth/authenticator';
import { findDuplicateKey } from '../data/batchText';
import { findInvalidRecord, FlowRecord } from '../data/flow';
import { findHourOutsideWindow, HourLimits } from '../data/retention';
import { idempotencyKey, requestClaim } from '../exactlyOnce/requestKey';
import { FlowReads } from '../reads/flowReads';
import { PageRequest, parseHoursRequest, parseReadRequest, readsWholeHours } from '../reads/readRequest';
import { FlowRouter } from '../routing/flowRouter';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { BatchBody, batchBody } from './batchBody';
import { requireScope } from './authorization';
import { ApiError } from './errors';
import { ReadSlots } from './readSlots';

/** What the routes read. */
export type FlowReading = Pick<FlowReads, 'hour' | 'page' | 'latestHour'>;

/** What writes the records; the benchmark's ceiling run passes one that stores nothing. */
export type FlowWriter = Pick<FlowRouter, 'ingest' | 'ingestKeyed'>;

export interface FlowRoutesOptions extends HourLimits {
  bodyLimit: string;
  maxRecordsPerBatch: number;
  maxQueryHours: number;
  /** Reads that cost whole hours running at once, at most. */
  maxConcurrentReads: number;
  /** The clock that says which hours are in the accepted window. */
  now: () => number;
  /** False while MongoDB is unreachable or its indexes are not ensured. */
  storageReady: () => boolean;
  /** Called when a read from MongoDB fails, before or after the first byte is sent. */
  onReadError: () => void;
  /** Called when a POST is answered 200, with the records it applied and, when auth is on, its client. */
  onIngested: (records: number, client: string | undefined) => void;
  /** Who may read and write; undefined when authentication is off. */
  authenticator?: Authenticator;
}

/**
 * POST /flows ingests a batch; GET /flows answers totals; GET /hours says which hours may be read. /flow is
 * the original's path.
 */
export function flowRoutes(reads: FlowReading, writer: FlowWriter, options: FlowRoutesOptions): Router {
  const router = new Router();
  // Requests are answered at once rather than queued for a MongoDB known to be away, and no write goes
  // out before the unique index exists: without it concurrent upserts could create duplicate keys.
  const requireStorage = () => {
    if (!options.storageReady()) throw new StorageUnavailableError('MongoDB is not ready');
  };
  router.post(['/flows', '/flow'], requireScope(options.authenticator, 'write'), batchBody(options), async (ctx) => {
    let key: string | undefined;
    try {
      key = idempotencyKey(ctx.headers['idempotency-key']);
    } catch (err) {
      throw new ApiError(400, 'invalid_idempotency_key', (err as Error).message);
    }
    // Its size and shape were checked as it was read.
    const { records, bytes, keys } = ctx.state.batch as BatchBody;
    const problem =
      findInvalidRecord(records) ??
      findDuplicateKey(bytes, records.length, keys) ??
      findHourOutsideWindow(records as FlowRecord[], options, options.now());
    if (problem) {
      throw new ApiError(400, 'invalid_record', problem.message, { index: problem.index, field: problem.field });
    }
    ctx.state.records = records.length;
    requireStorage();
    // A keyed repeat answers as the first attempt did but applied nothing: the counter must not count it again.
    const applied =
      key === undefined
        ? await writer.ingest(records as FlowRecord[]).then(() => records.length)
        : await writer.ingestKeyed(records as FlowRecord[], requestClaim(ctx.state.client, key, records as FlowRecord[]));
    options.onIngested(applied, ctx.state.client);
    ctx.body = { accepted: records.length };
  });

  /** The original read: every key of one hour, streamed. */
  const readHour = async (ctx: Context, hour: number) => {
    const rows = await reads.hour(hour);
    // Past the first byte a failure can no longer change the status: cut the connection so the client sees
    // a truncated response instead of waiting for one that will not come.
    rows.once('error', () => {
      options.onReadError();
      ctx.res.destroy();
    });
    ctx.body = rows;
  };

  /** A page of totals, with a Link to the next page when there is one. */
  const readPage = async (ctx: Context, request: PageRequest) => {
    const page = await reads.page(request);
    if (page.next) {
      const next = new URLSearchParams(ctx.querystring);
      next.set('cursor', page.next);
      ctx.set('Link', `<${ctx.path}?${next}>; rel="next"`);
    }
    ctx.body = page.json;
  };

  /** Reports a read that MongoDB failed; errors of the client's own are not the store's. */
  const counted = async (read: () => Promise<void>) => {
    try {
      await read();
    } catch (err) {
      if (!(err instanceof ApiError)) options.onReadError();
      throw err;
    }
  };

  const readSlots = new ReadSlots(options.maxConcurrentReads);

  router.get(['/flows', '/flow'], requireScope(options.authenticator, 'read'), async (ctx) => {
    const read = parseReadRequest(ctx.query, options.maxQueryHours);
    requireStorage();
    // Held until the response is over: a whole hour's stream reads MongoDB until its last byte is sent.
    if (readsWholeHours(read)) ctx.res.once('close', readSlots.take());
    ctx.type = 'application/json';
    await counted(() => (read.kind === 'hour' ? readHour(ctx, read.hour) : readPage(ctx, read)));
  });

  /** What a client needs to pick hours: the latest hour with data, and the longest range a read may span. */
  router.get('/hours', requireScope(options.authenticator, 'read'), async (ctx) => {
    const { until } = parseHoursRequest(ctx.query);
    requireStorage();
    await counted(async () => {
      const latest = await reads.latestHour(until);
      ctx.body = { latest: latest ?? null, max_query_hours: options.maxQueryHours };
    });
  });

  return router;
}
