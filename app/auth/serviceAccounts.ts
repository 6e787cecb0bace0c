import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, JWTVerifyGetKey } from 'jose';
import { Client, Scope } from './clients';

/** The issuer's discovery document or keys could not be fetched: no token of it can be checked now. */
export class IssuerUnavailableError extends Error {}

export interface ServiceAccountOptions {
  /** The issuer of the cluster's service-account tokens (`iss`), whose OIDC discovery document names its keys. */
  issuer: string;
  /** The audience the tokens must be bound to (`aud`), e.g. `fas`. */
  audience: string;
  /** Scopes by `namespace/name`; a service account not listed is authenticated but may do nothing. */
  accounts: ReadonlyMap<string, ReadonlySet<Scope>>;
  /** A token to present to the issuer's discovery endpoints (the API server's own, on most clusters), if any. */
  issuerTokenFile?: string;
}

// Errors that say the token is bad, not that the keys could not be had.
const TOKEN_PROBLEMS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

// Kubernetes signs with RS256 (or ES256 with an EC key); "none" and HMAC are never accepted.
const ALGORITHMS = ['RS256', 'ES256'];
const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;
/** How long a fetched issuer credential is used before the file is read again (kubelet rotates it). */
const CREDENTIAL_MS = 60_000;

/**
 * Verifies projected, audience-bound Kubernetes service-account tokens against the keys the issuer publishes
 * (OIDC discovery, then its JWKS, which jose caches and refetches for a key it does not know).
 */
export class ServiceAccountTokens {
  private keys?: Promise<{ jwksUri: URL; getKey: JWTVerifyGetKey; credential?: string; readAt: number }>;

  constructor(private readonly options: ServiceAccountOptions) {}

  private credential(): string | undefined {
    const file = this.options.issuerTokenFile;
    return file ? readFileSync(file, 'utf8').trim() : undefined;
  }

  private headers(credential: string | undefined): Record<string, string> {
    return { 'User-Agent': 'fas', ...(credential ? { Authorization: `Bearer ${credential}` } : {}) };
  }

  private async discover() {
    const credential = this.credential();
    const url = new URL('.well-known/openid-configuration', `${this.options.issuer.replace(/\/$/, '')}/`);
    const res = await fetch(url, { headers: this.headers(credential), signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const document = (await res.json()) as { issuer?: string; jwks_uri?: string };
    if (document.issuer !== this.options.issuer) throw new Error(`${url} names another issuer: ${document.issuer}`);
    const jwksUri = new URL(String(document.jwks_uri));
    return { jwksUri, getKey: this.keySet(jwksUri, credential), credential, readAt: Date.now() };
  }

  private keySet(jwksUri: URL, credential: string | undefined): JWTVerifyGetKey {
    return createRemoteJWKSet(jwksUri, { headers: this.headers(credential) });
  }

  /** The issuer's keys, discovered once; a new key set when the credential for the issuer changed. */
  private async getKey(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover();
    let keys;
    try {
      keys = await this.keys;
    } catch (err) {
      this.keys = undefined;
      throw new IssuerUnavailableError(`service-account issuer discovery failed: ${(err as Error).message}`, { cause: err });
    }
    if (Date.now() - keys.readAt > CREDENTIAL_MS) {
      const credential = this.credential();
      const getKey = credential === keys.credential ? keys.getKey : this.keySet(keys.jwksUri, credential);
      this.keys = Promise.resolve({ ...keys, getKey, credential, readAt: Date.now() });
      return getKey;
    }
    return keys.getKey;
  }

  /** The client a valid token names; undefined for a token that is not one of the issuer's for the audience. */
  async verify(token: string): Promise<Client | undefined> {
    // Only the issuer's own tokens cost a look at its keys.
    try {
      if (decodeJwt(token).iss !== this.options.issuer) return undefined;
    } catch {
      return undefined;
    }
    const getKey = await this.getKey();
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: 30,
      });
      subject = payload.sub;
    } catch (err) {
      if (err instanceof errors.JOSEError && TOKEN_PROBLEMS.has(err.code)) return undefined;
      throw new IssuerUnavailableError(`the service-account issuer's keys could not be fetched: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const match = SUBJECT.exec(subject ?? '');
    if (!match) return undefined;
    const name = `${match[1]}/${match[2]}`;
    return { name, scopes: this.options.accounts.get(name) ?? new Set() };
  }
}
