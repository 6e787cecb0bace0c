import { isUtf8 } from 'node:buffer';
import { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import inflate from 'inflation';
import { Context, Middleware, Next } from 'koa';
import bodyParser from 'koa-bodyparser';
import { BatchScanner } from '../data/batchText';
import { ApiError } from './errors';

/** A POST's batch as read: the parsed records, the bytes they came from, and how many keys the bytes give them. */
export interface BatchBody {
  records: unknown[];
  /** The body's bytes, only ever needed to name a key given twice. */
  bytes: () => Buffer;
  keys: number;
}

/** The type must be JSON and the charset, when given, UTF-8 (RFC 8259: JSON between systems is UTF-8). */
function requireUtf8Json(ctx: Context): void {
  if (!ctx.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'the body must be JSON (Content-Type: application/json)');
  }
  const charset = ctx.request.charset.toLowerCase();
  if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'unsupported_media_type', 'the body must be UTF-8: charset=utf-8, or no charset');
  }
}

const invalidUtf8 = () => new ApiError(400, 'invalid_utf8', 'the body is not valid UTF-8');

/** How many bytes at the end of a chunk begin a UTF-8 character the next chunk completes. */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) !== 0x80) {
      // A lead byte: 110xxxxx starts 2 bytes, 1110xxxx 3, 11110xxx 4; ASCII stands alone.
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return length > back ? back : 0;
    }
  }
  return 0;
}

/**
 * A pass-through that refuses the body as soon as its bytes are no batch (nested too deep, too many records)
 * or not UTF-8 (a name that is not would reach JSON.parse as U+FFFD and merge with others), before the rest
 * is inflated, collected or parsed.
 */
function guard(scanner: BatchScanner, maxRecords: number): Transform {
  let carry = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const problem = scanner.push(chunk);
      if (problem?.kind === 'nested') {
        return done(new ApiError(400, 'invalid_body', 'the body must be a JSON array of flat flow records: it nests deeper'));
      }
      if (problem?.kind === 'records') {
        return done(new ApiError(413, 'too_many_records', `a batch holds at most ${maxRecords} records`, { records: problem.records }));
      }
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const tail = incompleteTail(bytes);
      if (!isUtf8(bytes.subarray(0, bytes.length - tail))) return done(invalidUtf8());
      carry = Buffer.from(bytes.subarray(bytes.length - tail));
      done(null, chunk);
    },
    flush(done) {
      done(carry.length > 0 ? invalidUtf8() : null);
    },
  });
}

/** koa-bodyparser's JSON error quotes the body: only the position is passed on. */
function malformed(err: Error): ApiError {
  if (err.message.includes('prototype')) return new ApiError(400, 'malformed_json', 'the body holds a __proto__ key');
  const position = /at position (\d+)/.exec(err.message)?.[1];
  return new ApiError(400, 'malformed_json', `the body is not valid JSON${position ? ` (at character ${position})` : ''}`);
}

/**
 * Reads a POST's batch into ctx.state.batch with koa-bodyparser (JSON, within the body limit, strict, no
 * __proto__), from the request decompressed (inflation: gzip, deflate, br) and checked on its way: a
 * BatchScanner and a UTF-8 check refuse a body at the chunk that shows it is nested too deep, holds too many
 * records or is not UTF-8, before the rest is inflated, collected or parsed.
 */
export function batchBody(limits: { bodyLimit: string; maxRecordsPerBatch: number }): Middleware {
  const parseJson = bodyParser({
    enableTypes: ['json'],
    jsonLimit: limits.bodyLimit,
    strict: true,
    // co-body marks a body it could not parse as JSON by attaching the text (err.body); any other error
    // (too large, aborted, refused by the guard) goes on as it is.
    onerror: (err) => {
      throw 'body' in err ? malformed(err) : err;
    },
  });
  return async (ctx: Context, next: Next) => {
    requireUtf8Json(ctx);
    const request = ctx.req;
    const inflated = inflate(request);
    const scanner = new BatchScanner(limits.maxRecordsPerBatch);
    const checked = guard(scanner, limits.maxRecordsPerBatch);
    // Not pipeline(): on a refusal it would destroy the request, and the client would get a reset, not a 400.
    inflated.on('error', (err) => checked.destroy(err));
    inflated.pipe(checked);
    // koa-bodyparser reads the checked bytes as the request's own, the encoding already undone.
    const headers = { ...request.headers, 'content-encoding': 'identity' };
    if (inflated !== request) delete headers['content-length'];
    ctx.req = Object.assign(checked, { headers }) as unknown as IncomingMessage;
    try {
      await parseJson(ctx, async () => {});
    } catch (err) {
      // The rest of the request is read and dropped, still compressed: the client then reads the answer
      // instead of a connection reset.
      request.unpipe();
      if (inflated !== request) inflated.destroy();
      request.resume();
      throw err;
    } finally {
      ctx.req = request;
    }
    const records: unknown = ctx.request.body;
    if (!Array.isArray(records)) throw new ApiError(400, 'invalid_body', 'the body must be a JSON array of flow records');
    const raw = ctx.request.rawBody;
    ctx.state.batch = { records, bytes: () => Buffer.from(raw), keys: scanner.keys } satisfies BatchBody;
    await next();
  };
}
