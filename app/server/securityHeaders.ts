import { ServerResponse } from 'node:http';

/**
 * Headers for a JSON API that no browser should render, frame, sniff or cache. Set on the raw response for
 * every request, so the health probes (answered outside Koa, by terminus) carry them too. koa-helmet would
 * cover only Koa's responses and adds HTML-page policies this API has no use for.
 */
const headers = Object.entries({
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
});

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}
