import { useChildService } from '../support/childService';

const apiPolicy = "default-src 'none'; frame-ancestors 'none'";

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('the console as the built service serves it', () => {
  const service = useChildService();
  let assets: string[];

  beforeAll(async () => {
    const { body } = await get(`${service().url}/`);
    assets = [...body.toString().matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  });

  it('serves the page at / with a policy of its own origin only, revalidated on every load', async () => {
    const { res, body } = await get(`${service().url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/(^|; )default-src 'none'(;|$)/);
    expect(policy).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(policy).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    expect(policy).not.toMatch(/unsafe|\*|https?:|data:/);
    expect(body.toString()).not.toMatch(/<script>|<style|style=|https?:\/\//);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('names its script, style and icon by their content, and lets browsers keep them for a year', async () => {
    expect(assets).toEqual([
      expect.stringMatching(/^\/assets\/icon-\w{8}\.svg$/),
      expect.stringMatching(/^\/assets\/console-\w{8}\.css$/),
      expect.stringMatching(/^\/assets\/console-\w{8}\.js$/),
      expect.stringMatching(/^\/assets\/icon-\w{8}\.svg$/),
    ]);
    for (const asset of new Set(assets)) {
      const { res } = await get(`${service().url}${asset}`);
      expect([asset, res.status, res.headers.get('cache-control')]).toEqual([asset, 200, 'public, max-age=31536000, immutable']);
    }
  });

  it('sends assets compressed to clients that accept it, the same bytes once decompressed', async () => {
    const script = assets.find((a) => a.endsWith('.js')) as string;
    const plain = await get(`${service().url}${script}`, { 'Accept-Encoding': 'identity' });
    expect(plain.res.headers.get('content-encoding')).toBeNull();
    expect(plain.res.headers.get('content-type')).toMatch(/javascript/);
    for (const encoding of ['br', 'gzip']) {
      // fetch decompresses the body and keeps the header.
      const packed = await get(`${service().url}${script}`, { 'Accept-Encoding': encoding });
      expect(packed.res.headers.get('content-encoding')).toBe(encoding);
      expect(packed.res.headers.get('vary')).toMatch(/Accept-Encoding/i);
      expect(packed.body.equals(plain.body)).toBe(true);
    }
  });

  it('keeps the script within 200 KB with brotli, the size it is sent at', async () => {
    const script = assets.find((a) => a.endsWith('.js')) as string;
    const { res } = await get(`${service().url}${script}`, { 'Accept-Encoding': 'br' });
    expect(res.headers.get('content-encoding')).toBe('br');
    const size = Number(res.headers.get('content-length'));
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(200 * 1024);
  });

  it.each([
    ['an asset that does not exist', '/assets/console-AAAAAAAA.js'],
    ['a path out of the assets', '/assets/..%2F..%2Fpackage.json'],
    ['a hidden file', '/assets/.env'],
    ['a name that does not decode', '/assets/%E0%A4%A'],
  ])('answers %s 404 with the API headers, not cached', async (_, path) => {
    const { res, body } = await get(`${service().url}${path}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe(apiPolicy);
    expect(body.toString()).not.toMatch(/"name"|"dependencies"/);
  });

  it('leaves the API its own policy', async () => {
    for (const path of ['/flows?hour=1', '/openapi.json', '/healthz', '/nowhere']) {
      const { res } = await get(`${service().url}${path}`);
      expect([path, res.headers.get('content-security-policy')]).toEqual([path, apiPolicy]);
    }
  });
});

describe('CONSOLE_ENABLED=false', () => {
  const service = useChildService({ CONSOLE_ENABLED: 'false' });

  it('serves the API only', async () => {
    const page = await get(`${service().url}/`);
    expect(page.res.status).toBe(404);
    expect(JSON.parse(page.body.toString())).toMatchObject({ error: 'not_found' });
    expect((await get(`${service().url}/flows?hour=1`)).res.status).toBe(200);
  });
});
