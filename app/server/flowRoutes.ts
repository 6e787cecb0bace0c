import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import { Context, Middleware } from 'koa';
import { findInvalidRecord, FlowRecord } from '../data/flow';
import { findExpiredRecord } from '../data/retention';
import { FlowReads } from '../reads/flowReads';
import { PageRequest, parseHoursRequest, parseReadRequest } from '../reads/readRequest';
import { FlowStore } from '../storage/flowStore';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { ApiError } from './errors';

/** What the routes need of the store and of the reads; the benchmark's ceiling run passes a store that stores nothing. */
export interface FlowStorage {
  store: Pick<FlowStore, 'ingest'>;
  reads: Pick<FlowReads, 'hour' | 'page' | 'latestHour'>;
}

export interface FlowRoutesOptions {
  bodyLimit: string;
  maxRecordsPerBatch: number;
  mongodbQueryTimeoutMs: number;
  maxQueryHours: number;
  retentionHours: number;
  /** The clock that says which hours are past retention. */
  now: () => number;
  /** False while MongoDB is unreachable or its indexes are not ensured. */
  storageReady: () => boolean;
  /** Called when a read from MongoDB fails, before or after the first byte is sent. */
  onReadError: () => void;
}

const requireJson: Middleware = async (ctx, next) => {
  if (!ctx.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'the body must be JSON (Content-Type: application/json)');
  }
  await next();
};

/**
 * POST /flows ingests a batch; GET /flows answers totals; GET /hours says which hours may be read. /flow is
 * the original's path.
 */
export function flowRoutes({ store, reads }: FlowStorage, options: FlowRoutesOptions): Router {
  const router = new Router();
  // Requests are answered at once rather than queued for a MongoDB known to be away, and no write goes
  // out before the unique index exists: without it concurrent upserts could create duplicate keys.
  const requireStorage = () => {
    if (!options.storageReady()) throw new StorageUnavailableError('MongoDB is not ready');
  };
  const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: options.bodyLimit, strict: true });

  router.post(['/flows', '/flow'], requireJson, parseJson, async (ctx) => {
    const body: unknown = ctx.request.body;
    if (!Array.isArray(body)) {
      throw new ApiError(400, 'invalid_body', 'the body must be a JSON array of flow records');
    }
    if (body.length > options.maxRecordsPerBatch) {
      throw new ApiError(413, 'too_many_records', `a batch holds at most ${options.maxRecordsPerBatch} records`, {
        records: body.length,
      });
    }
    const records = body as FlowRecord[];
    const problem = findInvalidRecord(body) ?? findExpiredRecord(records, options.retentionHours, options.now());
    if (problem) {
      throw new ApiError(400, 'invalid_record', problem.message, { index: problem.index, field: problem.field });
    }
    ctx.state.records = body.length;
    requireStorage();
    await store.ingest(records);
    ctx.body = { accepted: body.length };
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

  router.get(['/flows', '/flow'], async (ctx) => {
    const read = parseReadRequest(ctx.query, options.maxQueryHours);
    requireStorage();
    ctx.type = 'application/json';
    await counted(() => (read.kind === 'hour' ? readHour(ctx, read.hour) : readPage(ctx, read)));
  });

  /** What a client needs to pick hours: the latest hour with data, and the longest range a read may span. */
  router.get('/hours', async (ctx) => {
    const { until } = parseHoursRequest(ctx.query);
    requireStorage();
    await counted(async () => {
      const latest = await reads.latestHour(until);
      ctx.body = { latest: latest ?? null, max_query_hours: options.maxQueryHours };
    });
  });

  return router;
}
