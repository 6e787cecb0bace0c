import Koa from 'koa';
import { Logger } from 'winston';
import { Settings } from '../config/settings';
import { describeError } from '../logger';
import { consoleRoutes } from './consoleRoutes';
import { errorHandler } from './errors';
import { FlowStorage, flowRoutes } from './flowRoutes';
import { ServiceMetrics } from './metrics';
import { openApiRoutes } from './openApi';
import { requestLog } from './requestLog';

/**
 * The Koa application: request timing, request log, JSON errors, then the flow, metrics and OpenAPI routes
 * and, unless turned off, the web console. Health probes live in the HTTP server.
 */
export function createApp(
  storage: FlowStorage,
  storageReady: () => boolean,
  settings: Settings,
  logger: Logger,
  metrics: ServiceMetrics,
  now: () => number = Date.now,
): Koa {
  const app = new Koa();
  const flows = flowRoutes(storage, { ...settings, now, storageReady, onReadError: () => metrics.readFailed() });
  app.use(metrics.requestTimer());
  app.use(requestLog(logger));
  app.use(errorHandler(logger, settings.retryAfterSeconds));
  // One allowedMethods answers 405 with Allow for every router: it reads the paths all of them matched.
  app.use(flows.allowedMethods());
  const routers = [metrics.routes(), flows, openApiRoutes(settings)];
  if (settings.consoleEnabled) routers.push(consoleRoutes());
  for (const router of routers) app.use(router.routes());
  // Errors that escape the handler: a response stream failing after its headers were sent.
  app.on('error', (err: unknown) => logger.error('response failed', describeError(err)));
  return app;
}
