import { Middleware } from 'koa';
import { Authenticator } from '../auth/authenticator';
import { Scope } from '../auth/clients';
import { IssuerUnavailableError } from '../auth/serviceAccounts';
import { ApiError } from './errors';

const REALM = 'Bearer realm="fas"';

/**
 * Lets a request through only with a bearer token of a client that has `scope`, and puts the client's name
 * in ctx.state.client for the request log and the metrics; lets every request through when authentication
 * is off. A missing or unknown token is 401, a client without the scope 403 (RFC 6750).
 */
export function requireScope(authenticator: Authenticator | undefined, scope: Scope): Middleware {
  return async (ctx, next) => {
    if (!authenticator) return next();
    const token = /^Bearer +(\S+) *$/i.exec(ctx.get('Authorization'))?.[1];
    if (token === undefined) {
      throw new ApiError(401, 'unauthorized', 'a bearer token is required: Authorization: Bearer <token>', {}, {
        'WWW-Authenticate': REALM,
      });
    }
    let client;
    try {
      client = await authenticator.authenticate(token);
    } catch (err) {
      if (!(err instanceof IssuerUnavailableError)) throw err;
      const unavailable = new ApiError(503, 'issuer_unavailable', "the service-account issuer's keys cannot be fetched; retry later");
      unavailable.cause = err;
      throw unavailable;
    }
    if (!client) {
      throw new ApiError(401, 'unauthorized', 'the bearer token is not valid', {}, {
        'WWW-Authenticate': `${REALM}, error="invalid_token"`,
      });
    }
    ctx.state.client = client.name;
    if (!client.scopes.has(scope)) {
      throw new ApiError(403, 'forbidden', `client ${client.name} lacks the ${scope} scope`, {}, {
        'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"`,
      });
    }
    await next();
  };
}
