import Koa from 'koa';
import { Logger } from 'winston';
import { Authenticator } from '../auth/authenticator';
import { Settings } from '../config/settings';
import { describeError } from '../logger';
import { consoleRoutes } from './consoleRoutes';
import { errorHandler, REQUEST_TIMEOUT_CODE } from './errors';
import { FlowRouter } from '../routing/flowRouter';
import { FlowReading, flowRoutes, FlowWriter } from './flowRoutes';
import { ServiceMetrics } from './metrics';
import { openApiRoutes } from './openApi';
import { partRoutes } from './partRoutes';
import { requestLog } from './requestLog';

/**
 * The Koa application: request timing, request log, JSON errors, then the flow (behind authentication, when
 * it is on), metrics and OpenAPI routes and, unless turned off, the web console. Records are written through
 * the router (this member's store, or their key's owner); reads go to the reads. Health probes live in the
 * HTTP server.
 */
export function createApp(
  reads: FlowReading,
  router: FlowWriter,
  storageReady: () => boolean,
  settings: Settings,
  logger: Logger,
  metrics: ServiceMetrics,
  { authenticator, now = Date.now }: { authenticator?: Authenticator; now?: () => number } = {},
): Koa {
  const app = new Koa();
  const flows = flowRoutes(reads, router, {
    ...settings,
    now,
    storageReady,
    authenticator,
    onReadError: () => metrics.readFailed(),
    onIngested: (records, client) => metrics.ingested(records, client),
  });
  app.use(metrics.requestTimer());
  app.use(requestLog(logger));
  app.use(errorHandler(logger, settings.retryAfterSeconds));
  // One allowedMethods answers 405 with Allow for every router: it reads the paths all of them matched.
  app.use(flows.allowedMethods());
  const routers = [flows, openApiRoutes(settings)];
  if (!settings.metricsPort) routers.push(metrics.routes());
  if (settings.consoleEnabled) routers.push(consoleRoutes());
  for (const router of routers) app.use(router.routes());
  // Errors that escape the handler: a response stream failing after its headers were sent. A request Node cut
  // off with its own 408 is not one: the request log already says 408.
  app.on('error', (err: { code?: string }) => {
    if (err.code !== REQUEST_TIMEOUT_CODE) logger.error('response failed', describeError(err));
  });
  return app;
}

/** The app of METRICS_PORT: GET /metrics alone. */
export function createMetricsApp(metrics: ServiceMetrics): Koa {
  const app = new Koa();
  const router = metrics.routes();
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/**
 * The members' own application, on HOP_PORT: only the route other members forward records to, with the same
 * request timing and log. Never behind the public Service; the chart's NetworkPolicy opens it to members only.
 */
export function createHopApp(
  router: Pick<FlowRouter, 'receive'>,
  storageReady: () => boolean,
  settings: Settings,
  logger: Logger,
  metrics: ServiceMetrics,
  now: () => number = Date.now,
): Koa {
  const app = new Koa();
  const parts = partRoutes(router, {
    ...settings,
    now,
    storageReady,
    onPart: (records, notOwned) => metrics.partReceived(records, notOwned),
  });
  app.use(metrics.requestTimer());
  app.use(requestLog(logger));
  app.use(errorHandler(logger, settings.retryAfterSeconds));
  app.use(parts.routes());
  return app;
}
