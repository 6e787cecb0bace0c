import { Context, Middleware } from 'koa';
import { ApiError } from '../api/apiError';
import { MongoError } from 'mongodb';
import { Logger } from 'winston';
import { KeyReusedError, RequestInFlightError } from '../exactlyOnce/requestKey';
import { describeError } from '../logger';
import { FlushFailedError, OverloadedError, StoreClosedError } from '../storage/groupCommit';
import { StorageUnavailableError } from '../storage/mongoConnection';
import { QueryTimeoutError } from '../reads/queryTimeout';

export { ApiError };

interface ErrorResponse {
  status: number;
  body: Record<string, unknown>;
  retry?: boolean;
  headers?: Record<string, string>;
}

// Errors raised by koa-bodyparser (co-body, raw-body) and inflation, @koa/send and @koa/router carry an HTTP status
// and a type. Their messages may hold a server path or the request itself, so none is ever shown.
interface HttpLikeError {
  status?: number;
  code?: string;
}

/** The fixed answer to each status such a library raises. */
const libraryErrors: Record<number, [string, string]> = {
  400: ['malformed_body', 'the body could not be read whole'],
  404: ['not_found', 'nothing is served at this path'],
  405: ['method_not_allowed', 'this method is not allowed on this path; the Allow header lists those that are'],
  413: ['payload_too_large', 'the request body exceeds the configured limit'],
  415: ['unsupported_media_type', 'the Content-Encoding must be gzip, deflate or identity'],
};

/** The status and JSON body an error is answered with. */
export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: { error: err.code, message: err.message, ...err.details },
      retry: err.status === 503,
      headers: err.headers,
    };
  }
  if (err instanceof KeyReusedError) {
    return { status: 422, body: { error: 'idempotency_key_reused', message: err.message } };
  }
  if (err instanceof RequestInFlightError) {
    return { status: 409, body: { error: 'request_in_flight', message: err.message }, retry: true };
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
  const { status, code } = (err ?? {}) as HttpLikeError;
  if (code?.startsWith('Z_')) {
    // zlib failed to inflate a Content-Encoding: gzip/deflate/br body.
    return { status: 400, body: { error: 'malformed_body', message: 'the body could not be decompressed' } };
  }
  const known = status === undefined ? undefined : libraryErrors[status];
  if (known) return { status: status!, body: { error: known[0], message: known[1] } };
  return { status: 500, body: { error: 'internal', message: 'internal server error' } };
}

/** The error Node destroys a connection with when it answered 408 itself (HTTP_REQUEST_TIMEOUT_MS passed). */
export const REQUEST_TIMEOUT_CODE = 'ERR_HTTP_REQUEST_TIMEOUT';

/** The body of a 405, the same from the probes (frontDoor) as from the routes. */
export const methodNotAllowed = () => errorResponse({ status: 405 }).body;

/** Turns every error into a JSON body; 5xx are logged with their cause, never shown to the client. */
export function errorHandler(logger: Logger, retryAfterSeconds: number): Middleware {
  const answer = (ctx: Context, { status, body, retry, headers }: ErrorResponse) => {
    ctx.status = status;
    ctx.body = body;
    if (retry) ctx.set('Retry-After', String(retryAfterSeconds));
    if (headers) ctx.set(headers);
  };
  return async (ctx, next) => {
    try {
      await next();
      // Koa's 404 and the router's 405/501 (with their Allow header) come without a body: give them one.
      if (ctx.body == null && ctx.status >= 400) {
        // The router answers 501 to a method no route has at all (TRACE, PROPFIND…): to the client that is
        // the same as a method this path does not have, and a 5xx would report a fault of the service.
        answer(ctx, errorResponse({ status: ctx.status === 501 ? 405 : ctx.status }));
      }
    } catch (err) {
      // The body's reader failed because Node cut the connection: the log and the metrics say 408, as the
      // client saw.
      if ((ctx.req.socket.errored as { code?: string } | null)?.code === REQUEST_TIMEOUT_CODE) {
        ctx.status = 408;
        return;
      }
      const response = errorResponse(err);
      answer(ctx, response);
      if (response.status >= 500) logger.error('request failed', { method: ctx.method, path: ctx.path, ...describeError(err) });
    }
  };
}
