import { createHash } from 'node:crypto';

/** What a client may do: `write` is POST /flows, `read` is GET /flows (the console's data included). */
export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

/** An authenticated client: its name (logged, and a metric label) and what it may do. */
export interface Client {
  name: string;
  scopes: ReadonlySet<Scope>;
}

/** A client of the tokens file: the SHA-256 of its token, never the token itself. */
export interface TokenClient extends Client {
  digest: Buffer;
}

/** Names are labels of the ingest metric and words of the log: short, and nothing that needs quoting. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A comma-separated subset of the scopes, or the problem with it. */
export function parseScopes(text: string): Set<Scope> | string {
  const scopes = text.split(',').map((s) => s.trim());
  const unknown = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown !== undefined) return `scope ${JSON.stringify(unknown)} is not one of ${SCOPES.join(', ')}`;
  return new Set(scopes as Scope[]);
}

/**
 * The clients of a tokens file: one per line, `name:scopes:sha256hex` (scopes a comma-separated subset of
 * read, write; the SHA-256 of the token in lower-case hex); blank lines and lines starting with # are skipped.
 * Throws an Error naming the first bad line; never its hash.
 */
export function parseTokensFile(text: string): TokenClient[] {
  const clients: TokenClient[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const bad = (problem: string) => new Error(`line ${i + 1}: ${problem}`);
    const fields = line.split(':');
    if (fields.length !== 3) throw bad('expected name:scopes:sha256hex');
    const [name, scopeText, hex] = fields;
    if (!NAME.test(name)) throw bad('a name is 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');
    const scopes = parseScopes(scopeText);
    if (typeof scopes === 'string') throw bad(scopes);
    if (!SHA256_HEX.test(hex)) throw bad('the hash must be the SHA-256 of the token in 64 lower-case hex digits');
    if (clients.some((c) => c.name === name)) throw bad(`the name ${name} is given twice`);
    if (clients.some((c) => c.digest.toString('hex') === hex)) throw bad('this hash is given twice');
    clients.push({ name, scopes, digest: Buffer.from(hex, 'hex') });
  });
  return clients;
}
