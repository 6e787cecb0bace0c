import Router from '@koa/router';
import document from './openapi.json';

/**
 * GET /openapi.json: the API's OpenAPI document (kept in the repository next to this file), with the batch
 * and range limits this instance is configured with, so clients and fuzzers see the limits that apply.
 */
export function openApiRoutes(limits: { maxRecordsPerBatch: number; maxQueryHours: number }): Router {
  const served = structuredClone(document);
  served.components.schemas.FlowBatch.maxItems = limits.maxRecordsPerBatch;
  const to = served.components.parameters.To;
  to.description = to.description.replace(/at most \d+ hours/, `at most ${limits.maxQueryHours} hours`);
  const body = JSON.stringify(served);
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
