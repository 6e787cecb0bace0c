import Router from '@koa/router';
import document from './openapi.json';

/**
 * GET /openapi.json: the API's OpenAPI document (kept in the repository next to this file), with the batch
 * limit this instance is configured with, so clients and fuzzers see the limits that actually apply.
 */
export function openApiRoutes(limits: { maxRecordsPerBatch: number }): Router {
  const served = structuredClone(document);
  served.components.schemas.FlowBatch.maxItems = limits.maxRecordsPerBatch;
  const body = JSON.stringify(served);
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
