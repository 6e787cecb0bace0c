import { createHash } from 'node:crypto';
import { FlowRecord } from '../data/flow';

/** The key was used before with other records: nothing of these is applied (422). */
export class KeyReusedError extends Error {}
/** An earlier attempt with the key is still being written after the wait: nothing was applied twice (409). */
export class RequestInFlightError extends Error {}

/**
 * An Idempotency-Key header's value (draft-ietf-httpapi-idempotency-key-header): 1 to 255 visible ASCII
 * characters, a UUID recommended. Undefined when the header is absent; throws when it is malformed.
 */
export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new RangeError('Idempotency-Key must be one value of 1 to 255 visible ASCII characters');
  }
  return header;
}

/**
 * The claim of a request: its key, scoped by the client that sent it (keys of different clients never
 * meet), and a digest of its records, so the same key with other records is told apart.
 */
export interface RequestClaim {
  /** The claim document's _id. */
  id: string;
  /** SHA-256 of the records in order, each field by field: what "the same request" means. */
  digest: string;
  /** How many records the request holds: its answer, {"accepted": records}. */
  records: number;
}

export function requestClaim(client: string | undefined, key: string, records: readonly FlowRecord[]): RequestClaim {
  // Names hold no control characters, so \u0001 and \n cannot occur inside a field. One string, hashed once.
  let text = '';
  for (const r of records) text += `${r.src_app}\u0001${r.dest_app}\u0001${r.vpc_id}\u0001${r.bytes_tx}\u0001${r.bytes_rx}\u0001${r.hour}\n`;
  return { id: `${client ?? ''}\n${key}`, digest: createHash('sha256').update(text).digest('base64url'), records: records.length };
}
