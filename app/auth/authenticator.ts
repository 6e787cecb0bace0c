import { Logger } from 'winston';
import { Settings } from '../config/settings';
import { describeError } from '../logger';
import { Client, Scope } from './clients';
import { ServiceAccountTokens } from './serviceAccounts';
import { TokensFile } from './tokensFile';

/** Who presented a bearer token: clients of the tokens file, or Kubernetes service accounts. */
export interface Authenticator {
  /** The client the token belongs to; undefined for a token no one issued. */
  authenticate(token: string): Promise<Client | undefined>;
  close(): void;
}

export type AuthSettings = Pick<
  Settings,
  'authTokensFile' | 'authIssuer' | 'authAudience' | 'authServiceAccounts' | 'authIssuerTokenFile'
>;

/**
 * AUTH_SERVICE_ACCOUNTS, which the settings' schema has checked: `namespace/name:scopes` entries separated by
 * spaces or new lines, e.g. `agents/flow-agent:write monitoring/grafana:read`.
 */
export function parseServiceAccounts(text: string): Map<string, ReadonlySet<Scope>> {
  const accounts = new Map<string, ReadonlySet<Scope>>();
  for (const entry of text.split(/\s+/).filter(Boolean)) {
    const [name, scopes] = entry.split(':');
    accounts.set(name, new Set(scopes.split(',') as Scope[]));
  }
  return accounts;
}

/** Authentication as configured, or undefined when it is off (no tokens file and no issuer). */
export function createAuthenticator(settings: AuthSettings, logger: Logger): Authenticator | undefined {
  if (!settings.authTokensFile && !settings.authIssuer) return undefined;
  const file = settings.authTokensFile
    ? new TokensFile(settings.authTokensFile, ({ error, clients }) => {
        if (error) logger.error('tokens file not reloaded: the previous clients stay in force', describeError(error));
        else logger.info('tokens file reloaded', { clients });
      })
    : undefined;
  const accounts = settings.authIssuer
    ? new ServiceAccountTokens({
        issuer: settings.authIssuer,
        audience: settings.authAudience,
        accounts: parseServiceAccounts(settings.authServiceAccounts),
        issuerTokenFile: settings.authIssuerTokenFile || undefined,
      })
    : undefined;
  return {
    async authenticate(token) {
      return file?.find(token) ?? (await accounts?.verify(token));
    },
    close: () => file?.close(),
  };
}
