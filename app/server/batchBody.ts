import { parse as parseJson } from '@hapi/bourne';
import { Context, Middleware, Next } from 'koa';
import bodyParser from 'koa-bodyparser';
import { scanBatch } from '../data/batchText';
import { ApiError } from './errors';

/** A POST's batch as read: the parsed records, the text they came from, and how many keys the text gives them. */
export interface BatchBody {
  records: unknown[];
  text: string;
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
 * Reads a POST's batch into ctx.state.batch: JSON in UTF-8, decompressed, within the body limit, refused when it
 * is anything but an array of flat records before JSON.parse builds it. koa-bodyparser reads the bytes (as
 * "text" with no decoding, so the bytes reach the strict decoder unaltered).
 */
export function batchBody(bodyLimit: string): Middleware {
  const readBytes = bodyParser({
    enableTypes: ['text'],
    extendTypes: { text: ['application/json'] },
    textLimit: bodyLimit,
    // null: raw-body hands over the bytes as a Buffer instead of decoding them with replacement characters.
    encoding: null as unknown as string,
  });
  return async (ctx: Context, next: Next) => {
    requireUtf8Json(ctx);
    await readBytes(ctx, async () => {
      const text = decode(ctx.request.body as Buffer);
      const scanned = scanBatch(text);
      if (scanned.record) {
        const { index, field, message } = scanned.record;
        throw new ApiError(400, 'invalid_record', message, { index, field });
      }
      if (scanned.problem !== undefined) throw new ApiError(400, 'invalid_body', scanned.problem);
      const records = parse(text);
      if (!Array.isArray(records)) throw new ApiError(400, 'invalid_body', 'the body must be a JSON array of flow records');
      ctx.state.batch = { records, text, keys: scanned.keys } satisfies BatchBody;
      await next();
    });
  };
}
