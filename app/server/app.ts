import Koa from 'koa';
import { Logger } from 'winston';
import { Settings } from '../config/settings';
import { FlowStore } from '../storage/flowStore';
import { describeError } from '../logger';
import { errorHandler } from './errors';
import { flowRoutes } from './flowRoutes';
import { openApiRoutes } from './openApi';
import { requestLog } from './requestLog';

/** The Koa application: request log, JSON errors, then the flow routes and the OpenAPI document. Health probes live in the HTTP server. */
export function createApp(
  store: FlowStore,
  storageReady: () => boolean,
  settings: Settings,
  logger: Logger,
): Koa {
  const app = new Koa();
  const router = flowRoutes(store, { ...settings, storageReady });
  app.use(requestLog(logger));
  app.use(errorHandler(logger, settings.retryAfterSeconds));
  app.use(router.routes());
  app.use(router.allowedMethods());
  const docs = openApiRoutes(settings);
  app.use(docs.routes());
  app.use(docs.allowedMethods());
  // Errors that escape the handler: a response stream failing after its headers were sent.
  app.on('error', (err: unknown) => logger.error('response failed', describeError(err)));
  return app;
}
