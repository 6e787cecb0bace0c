// The benchmark's ceiling: the real Koa app (request timing, request log, errors, body parsing, joi
// validation, metrics) built from dist/ exactly as the service builds it, but with a store whose ingest
// resolves at once. The difference between this server and the real one is the cost of storage. Bench only:
// nothing in app/ knows about it.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { settingsSchema } = require('../../dist/config/settings.js');
const { createLogger } = require('../../dist/logger.js');
const { createApp } = require('../../dist/server/app.js');
const { ServiceMetrics } = require('../../dist/server/metrics.js');

const { value: settings, error } = settingsSchema.validate({
  mongodbUri: 'mongodb://127.0.0.1:1/unused',
  host: '127.0.0.1',
  port: Number(process.env.PORT),
  logLevel: process.env.LOG_LEVEL ?? 'info',
});
if (error) throw error;

const nothing = () => {
  throw new Error('the ceiling server stores nothing');
};
const reads = { hour: nothing, page: nothing, latestHour: nothing };
const router = { ingest: () => Promise.resolve(), ingestKeyed: (records) => Promise.resolve(records.length), receive: () => Promise.resolve(0) };
const app = createApp(reads, router, () => true, settings, createLogger(settings.logLevel), new ServiceMetrics(() => 0));
http.createServer(app.callback()).listen(settings.port, settings.host);
process.on('SIGTERM', () => process.exit(0));
