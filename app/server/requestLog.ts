import { Middleware } from 'koa';
import { Logger } from 'winston';

/**
 * One log line per request, never one per record. Routes put the batch size in ctx.state.records and the
 * authenticated client's name in ctx.state.client.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info('request', {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        records: ctx.state.records,
        client: ctx.state.client,
      });
    }
  };
}
