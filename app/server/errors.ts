import { Middleware } from 'koa';
import { ApiError } from '../api/apiError';
import { MongoError } from 'mongodb';
import { Logger } from 'winston';
import { describeError } from '../logger';
import { FlushFailedError, OverloadedError, StoreClosedError } from '../storage/groupCommit';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { QueryTimeoutError } from '../reads/queryTimeout';

export { ApiError };

interface ErrorResponse {
  status: number;
  body: Record<string, unknown>;
  retry?: boolean;
}

// Errors raised by koa-bodyparser (co-body, raw-body) and @koa/router carry an HTTP status and a type.
interface HttpLikeError {
  status?: number;
  type?: string;
  code?: string;
  message?: string;
}

const clientErrors: Record<number, string> = {
  400: 'malformed_json',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

function toResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError) {
    return { status: err.status, body: { error: err.code, message: err.message, ...err.details } };
  }
  if (err instanceof OverloadedError) {
    return { status: 503, body: { error: 'overloaded', message: err.message }, retry: true };
  }
  if (err instanceof StoreClosedError) {
    return { status: 503, body: { error: 'shutting_down', message: 'the service is shutting down' }, retry: true };
  }
  if (
    err instanceof FlushFailedError ||
    err instanceof StorageUnavailableError ||
    err instanceof QueryTimeoutError ||
    err instanceof MongoError
  ) {
    return {
      status: 503,
      body: { error: 'storage_unavailable', message: 'MongoDB is unavailable or did not acknowledge the operation; retry later' },
      retry: true,
    };
  }
  const { status, type, code, message } = (err ?? {}) as HttpLikeError;
  if (code?.startsWith('Z_')) {
    // zlib failed to inflate a Content-Encoding: gzip/deflate/br body.
    return { status: 400, body: { error: 'malformed_body', message: 'the body could not be decompressed' } };
  }
  if (status && clientErrors[status]) {
    const text =
      type === 'entity.too.large'
        ? 'the request body exceeds the configured limit'
        : status === 400
          ? `malformed JSON body: ${message}`
          : (message ?? '');
    return { status, body: { error: clientErrors[status], message: text } };
  }
  return { status: 500, body: { error: 'internal', message: 'internal server error' } };
}

/** Turns every error into a JSON body; 5xx are logged with their cause, never shown to the client. */
export function errorHandler(logger: Logger, retryAfterSeconds: number): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // Koa's 404 and the router's 405/501 (with their Allow header) come without a body: give them one.
      if (ctx.body == null && ctx.status >= 400) {
        // The router answers 501 to a method no route has at all (TRACE, PROPFIND…): to the client that is
        // the same as a method this path does not have, and a 5xx would report a fault of the service.
        if (ctx.status === 501) ctx.status = 405;
        const message =
          ctx.status === 404 ? `no route for ${ctx.method} ${ctx.path}` : `${ctx.method} is not allowed on ${ctx.path}`;
        throw new ApiError(ctx.status, clientErrors[ctx.status] ?? 'error', message);
      }
    } catch (err) {
      const { status, body, retry } = toResponse(err);
      ctx.status = status;
      ctx.body = body;
      if (retry) ctx.set('Retry-After', String(retryAfterSeconds));
      if (status >= 500) logger.error('request failed', { method: ctx.method, path: ctx.path, ...describeError(err) });
    }
  };
}
