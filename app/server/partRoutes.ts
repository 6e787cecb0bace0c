import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import { findHourOutsideWindow, HourLimits } from '../data/retention';
import { decodeForward } from '../routing/hopBody';
import { FlowRouter } from '../routing/flowRouter';
import { PARTS_PATH } from '../routing/peerLink';
import { StoreClosedError, OverloadedError } from '../storage/groupCommit';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { ApiError, errorResponse } from './errors';

export interface PartRoutesOptions extends HourLimits {
  bodyLimit: string;
  maxRecordsPerBatch: number;
  now: () => number;
  storageReady: () => boolean;
  retryAfterSeconds: number;
  /** Called with each part written: its records, and the keys this member does not own. */
  onPart: (records: number, notOwned: number) => void;
}

/** Whether a part that failed may have been applied: only once it was queued, and the queue took it. */
const mayBeApplied = (queued: boolean, err: unknown) =>
  queued && !(err instanceof StoreClosedError || err instanceof OverloadedError);

/**
 * POST /internal/v1/parts: records another member forwarded here, summed by key. Checked as strictly as a
 * client's batch, written through this member's group commit, answered once acknowledged. Every failure says
 * whether anything of the part may have been applied (`applied`: "no" or "unknown"), so the sender knows
 * whether it may write the part itself.
 */
export function partRoutes(router: Pick<FlowRouter, 'receive'>, options: PartRoutesOptions): Router {
  const routes = new Router();
  const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: options.bodyLimit, strict: true });
  routes.post(PARTS_PATH, async (ctx, next) => {
    let queued = false;
    try {
      if (!ctx.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'a part is JSON');
      await parseJson(ctx, async () => {});
      const forward = decodeForward(ctx.request.body, options.maxRecordsPerBatch);
      if (!forward) throw new ApiError(400, 'invalid_part', 'the body is not a valid forward');
      const keys = [forward.unkeyed, ...forward.parts.map((p) => p.totals)].flatMap((t) => [...t.byKey.values()].map((k) => k.key));
      const outside = findHourOutsideWindow(keys, options, options.now());
      if (outside) throw new ApiError(400, 'invalid_part', outside.message.replace(/^record \d+: /, ''));
      if (!options.storageReady()) throw new StorageUnavailableError('MongoDB is not ready');
      queued = true;
      const { outcomes, notOwned } = await router.receive(forward);
      const records = forward.parts.reduce((sum, p) => sum + p.totals.records, forward.unkeyed.records);
      options.onPart(records, notOwned);
      ctx.body = { acknowledged: records, parts: outcomes };
    } catch (err) {
      const { status, body, retry } = errorResponse(err);
      ctx.status = status;
      ctx.body = { ...body, applied: mayBeApplied(queued, err) ? 'unknown' : 'no' };
      if (retry) ctx.set('Retry-After', String(options.retryAfterSeconds));
    }
    await next();
  });
  return routes;
}
