import { ServerResponse } from 'node:http';
import { join } from 'node:path';
import Router from '@koa/router';
import { send } from '@koa/send';

/** Where `npm run build` writes the console (app/ui): index.html and assets/. */
const root = join(__dirname, '../console');

/**
 * The console's own origin for scripts, styles, images and API calls, and nothing else: no inline script
 * or style, no eval, no framing. Every other response keeps the API's `default-src 'none'`.
 */
const consolePolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of a file found, set by send only then: a 404 keeps the API's headers and is never cached. */
const headers = (cacheControl: string) => (res: ServerResponse) => {
  res.setHeader('Content-Security-Policy', consolePolicy);
  res.setHeader('Cache-Control', cacheControl);
};

/**
 * GET / answers the console's page, revalidated on every load; GET /assets/<name>-<hash>.<ext> its scripts,
 * styles and icon, which never change under a name, so browsers keep them for a year. Assets are sent
 * precompressed (.br, .gz) when the client accepts it.
 */
export function consoleRoutes(): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    await send(ctx, 'index.html', { root, setHeaders: headers('no-cache') });
  });
  router.get('/assets/:file', async (ctx) => {
    ctx.vary('Accept-Encoding');
    try {
      await send(ctx, ctx.params.file, {
        root: join(root, 'assets'),
        setHeaders: headers('public, max-age=31536000, immutable'),
      });
    } catch (err) {
      // A name that climbs out of assets/ (403) or does not decode (400) names no asset: Koa answers 404.
      const { status } = err as { status?: number };
      if (status !== 400 && status !== 403) throw err;
    }
  });
  return router;
}
