import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import { Context, Middleware } from 'koa';
import { findInvalidRecord, FlowRecord } from '../data/flow';
import { findExpiredRecord } from '../data/retention';
import { FlowRouter } from '../routing/flowRouter';
import { FlowStore } from '../storage/flowStore';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { ApiError } from './errors';
import { hourTotalsJson } from './hourTotalsJson';
import { parseReadRequest, ReadRequest } from './readRequest';
import { totalsPage } from './totalsPage';

/** What the routes read from the store. */
export type FlowStorage = Pick<FlowStore, 'hourTotals' | 'totals'>;

/** What writes the records; the benchmark's ceiling run passes one that stores nothing. */
export type FlowWriter = Pick<FlowRouter, 'ingest'>;

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

/** POST /flows ingests a batch; GET /flows answers totals. /flow is the original's path. */
export function flowRoutes(store: FlowStorage, writer: FlowWriter, options: FlowRoutesOptions): Router {
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
    await writer.ingest(records);
    ctx.body = { accepted: body.length };
  });

  /** The original read: every key of one hour, streamed. */
  const readHour = async (ctx: Context, hour: number) => {
    const rows = await hourTotalsJson(store.hourTotals(hour), options.mongodbQueryTimeoutMs);
    // Past the first byte a failure can no longer change the status: cut the connection so the client sees
    // a truncated response instead of waiting for one that will not come.
    rows.once('error', () => {
      options.onReadError();
      ctx.res.destroy();
    });
    ctx.body = rows;
  };

  /** A page of totals, with a Link to the next page when there is one. */
  const readPage = async (ctx: Context, { query, limit, after }: Extract<ReadRequest, { kind: 'page' }>) => {
    const page = await totalsPage(
      store.totals({ ...query, limit: limit + 1, after }),
      query,
      limit,
      options.mongodbQueryTimeoutMs,
    );
    if (page.next) {
      const next = new URLSearchParams(ctx.querystring);
      next.set('cursor', page.next);
      ctx.set('Link', `<${ctx.path}?${next}>; rel="next"`);
    }
    ctx.body = page.json;
  };

  router.get(['/flows', '/flow'], async (ctx) => {
    const read = parseReadRequest(ctx.query, options.maxQueryHours);
    requireStorage();
    ctx.type = 'application/json';
    try {
      await (read.kind === 'hour' ? readHour(ctx, read.hour) : readPage(ctx, read));
    } catch (err) {
      if (!(err instanceof ApiError)) options.onReadError();
      throw err;
    }
  });

  return router;
}
