import { Transform } from 'node:stream';
import { parse as parseJson } from '@hapi/bourne';
import inflate from 'inflation';
import { Context, Middleware, Next } from 'koa';
import getRawBody from 'raw-body';
import { BatchScanner } from '../data/batchText';
import { ApiError } from './errors';

/** A POST's batch as read: the parsed records, the bytes they came from, and how many keys the bytes give them. */
export interface BatchBody {
  records: unknown[];
  bytes: Buffer;
  keys: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

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

/** A pass-through that refuses the body as soon as its bytes are no batch, before the rest is read. */
function guard(scanner: BatchScanner, maxRecords: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const problem = scanner.push(chunk);
      if (problem?.kind === 'nested') {
        done(new ApiError(400, 'invalid_body', 'the body must be a JSON array of flat flow records: it nests deeper'));
      } else if (problem?.kind === 'records') {
        done(new ApiError(413, 'too_many_records', `a batch holds at most ${maxRecords} records`, { records: problem.records }));
      } else {
        done(null, chunk);
      }
    },
  });
}

/** Names must arrive as sent: a byte that is not UTF-8 is refused, never replaced by U+FFFD. */
function decode(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
}

/** JSON.parse's own words may quote the body: only the position is passed on. */
function parse(text: string): unknown {
  try {
    return parseJson(text, { protoAction: 'error' });
  } catch (err) {
    const message = (err as Error).message;
    if (message.includes('prototype')) throw new ApiError(400, 'malformed_json', 'the body holds a __proto__ key');
    const position = /at position (\d+)/.exec(message)?.[1];
    throw new ApiError(400, 'malformed_json', `the body is not valid JSON${position ? ` (at character ${position})` : ''}`);
  }
}

/**
 * Reads a POST's batch into ctx.state.batch: JSON in UTF-8, decompressed (inflation: gzip, deflate, br) and
 * within the body limit (raw-body), as koa-bodyparser read it, with a BatchScanner between the two that
 * refuses a body nested too deep or holding too many records at the chunk that shows it, before the rest
 * is inflated, collected, decoded or parsed.
 */
export function batchBody(limits: { bodyLimit: string; maxRecordsPerBatch: number }): Middleware {
  return async (ctx: Context, next: Next) => {
    requireUtf8Json(ctx);
    const inflated = inflate(ctx.req);
    const scanner = new BatchScanner(limits.maxRecordsPerBatch);
    const checked = guard(scanner, limits.maxRecordsPerBatch);
    // Not pipeline(): on a refusal it would destroy the request, and the client would get a reset, not a 400.
    inflated.on('error', (err) => checked.destroy(err));
    inflated.pipe(checked);
    const identity = inflated === ctx.req;
    let bytes: Buffer;
    try {
      bytes = await getRawBody(checked, {
        limit: limits.bodyLimit,
        length: identity ? ctx.get('Content-Length') || undefined : undefined,
      });
    } catch (err) {
      // The rest of the request is read and dropped, still compressed: the client then reads the answer
      // instead of a connection reset.
      ctx.req.unpipe();
      if (!identity) inflated.destroy();
      ctx.req.resume();
      throw err;
    }
    const records = parse(decode(bytes));
    if (!Array.isArray(records)) throw new ApiError(400, 'invalid_body', 'the body must be a JSON array of flow records');
    ctx.state.batch = { records, bytes, keys: scanner.keys } satisfies BatchBody;
    await next();
  };
}
