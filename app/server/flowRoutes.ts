import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import { Middleware } from 'koa';
import { findInvalidRecord, FlowRecord, hourSchema, MAX_HOUR } from '../data/flow';
import { FlowStore } from '../storage/flowStore';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { ApiError } from './errors';
import { hourTotalsJson } from './hourTotalsJson';

/** What the routes need of the store; the benchmark's ceiling run passes one that stores nothing. */
export type FlowStorage = Pick<FlowStore, 'ingest' | 'hourTotals'>;

export interface FlowRoutesOptions {
  bodyLimit: string;
  maxRecordsPerBatch: number;
  mongodbQueryTimeoutMs: number;
  /** False while MongoDB is unreachable or its indexes are not ensured. */
  storageReady: () => boolean;
  /** Called when reading an hour from MongoDB fails, before or after the first byte is sent. */
  onReadError: () => void;
}

const requireJson: Middleware = async (ctx, next) => {
  if (!ctx.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'the body must be JSON (Content-Type: application/json)');
  }
  await next();
};

/** Only plain digits: "1e3", "+1", " 1" or "1.0" would pass Number() but are not what the API documents. */
function parseHour(value: string | string[] | undefined): number {
  const hour = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
  if (hour === undefined || hourSchema.validate(hour).error) {
    throw new ApiError(400, 'invalid_hour', `query parameter hour must be an integer from 0 to ${MAX_HOUR}`);
  }
  return hour;
}

/** POST /flows ingests a batch; GET /flows?hour=N answers the hour's totals. /flow is the original's path. */
export function flowRoutes(store: FlowStorage, options: FlowRoutesOptions): Router {
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
    const problem = findInvalidRecord(body);
    if (problem) {
      throw new ApiError(400, 'invalid_record', problem.message, { index: problem.index, field: problem.field });
    }
    ctx.state.records = body.length;
    requireStorage();
    await store.ingest(body as FlowRecord[]);
    ctx.body = { accepted: body.length };
  });

  router.get(['/flows', '/flow'], async (ctx) => {
    const hour = parseHour(ctx.query.hour);
    requireStorage();
    let rows;
    try {
      rows = await hourTotalsJson(store.hourTotals(hour), options.mongodbQueryTimeoutMs);
    } catch (err) {
      options.onReadError();
      throw err;
    }
    // Past the first byte a failure can no longer change the status: cut the connection so the client sees
    // a truncated response instead of waiting for one that will not come.
    rows.once('error', () => {
      options.onReadError();
      ctx.res.destroy();
    });
    ctx.type = 'application/json';
    ctx.body = rows;
  });

  return router;
}
