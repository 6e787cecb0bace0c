import http from 'node:http';
import { methodNotAllowed } from './errors';
import { setSecurityHeaders } from './securityHeaders';

/**
 * Puts one listener in front of the server's request listeners (terminus's probes, which wrap Koa): it sets
 * the security headers on every response and answers 405 to any method but GET or HEAD on a probe path,
 * which terminus would otherwise answer like a GET.
 */
export function frontDoor(server: http.Server, probePaths: readonly string[]): void {
  const handlers = server.listeners('request') as http.RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    setSecurityHeaders(res);
    if (probePaths.includes(req.url ?? '') && req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(methodNotAllowed()));
      return;
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
}
