import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import request from 'supertest';
import { RunningService, startService } from '../support/service';

const AUDIENCE = 'fas';
const ISSUER_CREDENTIAL = 'fas-own-service-account-token';

/**
 * A service-account issuer on loopback, as a Kubernetes API server is one: an OIDC discovery document and the
 * JWKS of a key pair made here, each served only to a caller presenting FAS's own credential.
 */
async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${ISSUER_CREDENTIAL}`) return void res.writeHead(401).end();
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/openid/v1/jwks`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/openid/v1/jwks'
          ? { keys: [jwk] }
          : undefined;
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, privateKey, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A projected service-account token as kubelet gets it: subject, audience, a short life. */
function token(
  key: KeyLike,
  claims: { iss: string; aud?: string; sub?: string; exp?: number },
  kid = 'key-1',
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'kubernetes.io': { namespace: 'agents' } })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(claims.iss)
    .setAudience(claims.aud ?? AUDIENCE)
    .setSubject(claims.sub ?? 'system:serviceaccount:agents:flow-agent')
    .setIssuedAt(now - 60)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(key);
}

describe('Kubernetes service-account tokens verified against the issuer', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let service: RunningService;
  const dir = mkdtempSync(join(tmpdir(), 'fas-issuer-'));

  beforeAll(async () => {
    issuer = await startIssuer();
    writeFileSync(join(dir, 'token'), `${ISSUER_CREDENTIAL}\n`);
    service = await startService({
      authIssuer: issuer.issuer,
      authAudience: AUDIENCE,
      authServiceAccounts: 'agents/flow-agent:write monitoring/grafana:read',
      authIssuerTokenFile: join(dir, 'token'),
    });
  });
  afterAll(async () => {
    await service.stop();
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (jwt: string) =>
    request(service.url)
      .post('/flows')
      .set('Authorization', `Bearer ${jwt}`)
      .send([{ src_app: 'sa', dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 4000 }]);

  it('maps a service account to its scopes', async () => {
    await post(await token(issuer.privateKey, { iss: issuer.issuer })).expect(200);
    const reader = await token(issuer.privateKey, { iss: issuer.issuer, sub: 'system:serviceaccount:monitoring:grafana' });
    const res = await request(service.url).get('/flows?hour=4000').set('Authorization', `Bearer ${reader}`).expect(200);
    expect(res.body).toHaveLength(1);
    expect((await post(reader).expect(403)).body.message).toBe('client monitoring/grafana lacks the write scope');
    const metrics = (await request(service.url).get('/metrics')).text;
    expect(metrics).toContain('fas_flows_ingested_total{client="agents/flow-agent"} 1');
    expect(issuer.requests).toEqual(expect.arrayContaining(['/.well-known/openid-configuration', '/openid/v1/jwks']));
  });

  it('gives a service account it does not know no scope', async () => {
    const stranger = await token(issuer.privateKey, { iss: issuer.issuer, sub: 'system:serviceaccount:default:default' });
    expect((await post(stranger).expect(403)).body.message).toBe('client default/default lacks the write scope');
  });

  it('refuses tokens for another audience, expired, forged, or from another issuer with 401', async () => {
    const { privateKey: forger } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await token(issuer.privateKey, { iss: issuer.issuer, aud: 'kubernetes' }),
      await token(issuer.privateKey, { iss: issuer.issuer, exp: now - 120 }),
      await token(forger, { iss: issuer.issuer }),
      await token(forger, { iss: issuer.issuer }, 'key-2'),
      await token(issuer.privateKey, { iss: 'https://elsewhere.example' }),
      await token(issuer.privateKey, { iss: issuer.issuer, sub: 'flow-agent' }),
    ];
    for (const jwt of refused) {
      const res = await post(jwt).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="fas", error="invalid_token"');
    }
  });

  it('answers 503 with Retry-After while the issuer cannot be reached', async () => {
    const down = await startService({ authIssuer: 'http://127.0.0.1:9/', authServiceAccounts: 'agents/flow-agent:write' });
    try {
      const jwt = await token(issuer.privateKey, { iss: 'http://127.0.0.1:9/' });
      const res = await request(down.url).get('/flows?hour=1').set('Authorization', `Bearer ${jwt}`).expect(503);
      expect(res.body.error).toBe('issuer_unavailable');
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await down.stop();
    }
  });
});
