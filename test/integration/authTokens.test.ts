import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ConfigError } from '../../app/config/load';
import { createService } from '../../app/service';
import { capturedLogger } from '../support/capturedLogs';
import { metricSample, RunningService, startService, testSettings, waitFor, withCollection } from '../support/service';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const line = (name: string, scopes: string, token: string) => `${name}:${scopes}:${sha256(token)}`;

const TOKENS = { writer: 'w-9c1f6e2a', reader: 'r-51b7d0c4', both: 'b-e83a1f95', newWriter: 'w2-0d4c8b17' };
const HOUR = 3_000;
// The file is polled every 5 s: within a minute, with room for a busy machine.
const ROTATION_MS = 60_000;

const record = (src: string) => ({ src_app: src, dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 2, hour: HOUR });

/** A directory laid out as kubelet lays out a Secret volume: the file is a symlink through ..data. */
function secretVolume(text: string): { path: string; update(text: string): void; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fas-secret-'));
  let version = 0;
  const write = (content: string) => {
    const versionDir = `..v${++version}`;
    mkdirSync(join(dir, versionDir));
    writeFileSync(join(dir, versionDir, 'tokens'), content);
    symlinkSync(versionDir, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  write(text);
  symlinkSync('..data/tokens', join(dir, 'tokens'));
  return { path: join(dir, 'tokens'), update: write, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('bearer tokens from AUTH_TOKENS_FILE', () => {
  const volume = secretVolume(
    ['# clients of the test', line('writer', 'write', TOKENS.writer), line('reader', 'read', TOKENS.reader), line('both', 'read,write', TOKENS.both), ''].join('\n'),
  );
  const { logger, lines } = capturedLogger();
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ authTokensFile: volume.path }, { logger });
  });
  afterAll(async () => {
    await service.stop();
    volume.dispose();
  });

  const post = (token: string | undefined, src: string) => {
    const req = request(service.url).post('/flows');
    if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
    return req.send([record(src)]);
  };
  const read = (token: string | undefined) => {
    const req = request(service.url).get(`/flows?hour=${HOUR}`);
    if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
    return req;
  };
  const stored = (src: string) => withCollection(service, (c) => c.countDocuments({ src_app: src }));

  it('refuses a request without a token with 401 and WWW-Authenticate: Bearer, reading and writing nothing', async () => {
    for (const res of [await post(undefined, 'anonymous'), await read(undefined)]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="fas"');
      expect(res.body).toEqual({ error: 'unauthorized', message: 'a bearer token is required: Authorization: Bearer <token>' });
    }
    const basic = await request(service.url).get(`/flows?hour=${HOUR}`).set('Authorization', 'Basic d3JpdGVyOng=');
    expect(basic.status).toBe(401);
    expect(await stored('anonymous')).toBe(0);
  });

  it('refuses an unknown token with 401 invalid_token', async () => {
    for (const token of ['nope', TOKENS.writer.toUpperCase(), sha256(TOKENS.writer), `${TOKENS.writer}x`]) {
      const res = await post(token, 'unknown').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="fas", error="invalid_token"');
    }
    expect(await stored('unknown')).toBe(0);
  });

  it('refuses a client without the scope with 403 naming it', async () => {
    const res = await post(TOKENS.reader, 'reader').expect(403);
    expect(res.body).toEqual({ error: 'forbidden', message: 'client reader lacks the write scope' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="fas", error="insufficient_scope", scope="write"');
    expect((await read(TOKENS.writer).expect(403)).body.message).toBe('client writer lacks the read scope');
    expect(await stored('reader')).toBe(0);
  });

  it('asks GET /hours for the read scope like every read', async () => {
    await request(service.url).get('/hours').expect(401);
    await request(service.url).get('/hours').set('Authorization', `Bearer ${TOKENS.writer}`).expect(403);
    await request(service.url).get('/hours').set('Authorization', `Bearer ${TOKENS.reader}`).expect(200);
  });

  it('lets clients do what their scopes allow, logging and counting each by name', async () => {
    await post(TOKENS.writer, 'by-writer').expect(200, { accepted: 1 });
    await request(service.url)
      .post('/flows')
      .set('Authorization', `bearer ${TOKENS.both}`)
      .send([record('by-both'), record('by-both-2')])
      .expect(200);
    expect((await read(TOKENS.reader).expect(200)).body.map((r: { src_app: string }) => r.src_app)).toEqual(
      expect.arrayContaining(['by-writer', 'by-both']),
    );
    const metrics = (await request(service.url).get('/metrics')).text;
    expect(metricSample(metrics, 'fas_flows_ingested_total{client="writer"}')).toBe(1);
    expect(metricSample(metrics, 'fas_flows_ingested_total{client="both"}')).toBe(2);
    expect(metrics).not.toMatch(/fas_flows_ingested_total{client="reader"}/);
    const logged = lines.filter((l) => l.message === 'request' && l.path === '/flows');
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', status: 200, client: 'writer' }),
        expect.objectContaining({ method: 'POST', status: 403, client: 'reader' }),
        expect.objectContaining({ method: 'GET', status: 200, client: 'reader' }),
      ]),
    );
  });

  it.each(['/healthz', '/readyz', '/metrics', '/openapi.json'])('leaves %s open', async (path) => {
    await request(service.url).get(path).expect(200);
  });

  it(
    'takes a rewritten Secret within a minute, without a restart, and keeps the previous clients when a line is bad',
    async () => {
      volume.update([line('writer', 'write', TOKENS.newWriter), line('reader', 'read', TOKENS.reader)].join('\n'));
      await waitFor(async () => (await post(TOKENS.newWriter, 'rotated')).status === 200, ROTATION_MS);
      await post(TOKENS.writer, 'old-token').expect(401);
      await post(TOKENS.both, 'removed').expect(401);

      volume.update(`${line('writer', 'write', TOKENS.writer)}\nreader:admin:${sha256(TOKENS.reader)}\n`);
      await waitFor(() => lines.some((l) => l.message === 'tokens file not reloaded: the previous clients stay in force'), ROTATION_MS);
      expect(lines.find((l) => l.level === 'error')).toEqual(
        expect.objectContaining({ error: expect.stringContaining('line 2: scope "admin" is not one of read, write') }),
      );
      await post(TOKENS.newWriter, 'kept').expect(200);
      await post(TOKENS.writer, 'still-old').expect(401);
    },
    3 * ROTATION_MS,
  );
});

describe('a tokens file that cannot be used at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fas-tokens-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['missing', undefined, /AUTH_TOKENS_FILE .*: ENOENT/],
    ['a bad hash', `writer:write:${'A'.repeat(64)}`, /line 1: the hash must be the SHA-256 of the token/],
    ['a repeated name', `${line('a', 'read', 'x')}\n${line('a', 'write', 'y')}`, /line 2: the name a is given twice/],
    ['no scopes field', `writer:${sha256('x')}`, /line 1: expected name:scopes:sha256hex/],
  ])('stops the service, naming the problem: %s', (name, text, message) => {
    const path = join(dir, name);
    if (text !== undefined) writeFileSync(path, text);
    const start = () => createService(testSettings({ authTokensFile: path }), capturedLogger().logger, []);
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(message);
  });
});
