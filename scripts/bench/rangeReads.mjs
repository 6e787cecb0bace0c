// Reads over ranges (docs/reads.md): the questions people ask of FAS, on a store holding `hours` hours of the
// agent key space, each timed through the service's GET (every page, to the last byte) and by the driver
// alone running the same pipelines, the store's floor.
import { createRequire } from 'node:module';
import { parse } from 'node:querystring';
import { median, seed, timedMs } from './scenarios.mjs';

const require = createRequire(import.meta.url);

/** The four questions over the hours from..to; the names exist in every agent key space. */
function questions(from, to, keys) {
  const range = `from=${from}&to=${to}`;
  const hours = `${to - from + 1} h`;
  return [
    { name: `top 10 src_app by bytes over ${hours}`, query: `${range}&by=src_app&sort=bytes&limit=10` },
    { name: `one src_app by dest_app over ${hours}`, query: `${range}&src_app=app-src-1&by=dest_app&sort=bytes` },
    { name: `time series of one key over ${hours}`, query: `${range}&src_app=app-src-1&dest_app=app-dest-3&vpc_id=vpc-3&by=hour` },
    { name: `one hour of ${keys} keys, 1,000 rows a page`, query: `hour=${to}&limit=1000`, everyPage: true },
  ];
}

/** GET of a read, and of every page after it when asked; its rows and pages. */
async function serviceRead(url, query, everyPage) {
  let next = `/flows?${query}`;
  let rows = 0;
  let pages = 0;
  while (next) {
    const res = await fetch(`${url}${next}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`bench: GET ${next} answered ${res.status}: ${text.slice(0, 200)}`);
    rows += JSON.parse(text).length;
    pages += 1;
    next = everyPage ? /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] : undefined;
  }
  return { rows, pages };
}

/** The same read by the driver alone: the service's pipelines, page after page, resumed as the cursor does. */
async function driverRead(collection, query, everyPage) {
  const { parseReadRequest } = require('../../dist/server/readRequest.js');
  const { sortKeyOf, totalsPipeline } = require('../../dist/query/totals.js');
  const read = parseReadRequest(parse(query), Number.MAX_SAFE_INTEGER);
  let after;
  let rows = 0;
  let pages = 0;
  for (;;) {
    const page = await collection
      .aggregate(totalsPipeline({ ...read.query, limit: read.limit + 1, after }), { useBigInt64: true, allowDiskUse: true })
      .toArray();
    pages += 1;
    rows += Math.min(page.length, read.limit);
    if (page.length <= read.limit || !everyPage) return { rows, pages };
    after = sortKeyOf(read.query, page[read.limit - 1]);
  }
}

/** The read's rows and pages, with its p50 and longest time over `times` runs. */
async function timed(read, times) {
  let result;
  const ms = await timedMs(async () => {
    result = await read();
  }, times);
  return { ...result, p50Ms: median(ms), maxMs: Math.max(...ms) };
}

/**
 * Seeds `hours` hours of `keys` keys into the server's collection, then times each question `times` times
 * through the service and by the driver alone.
 */
export async function rangeReadScenarios(server, collection, { firstHour, hours, keys, times }) {
  for (let hour = firstHour; hour < firstHour + hours; hour++) await seed(collection, keys, hour);
  const results = [];
  for (const { name, query, everyPage = false } of questions(firstHour, firstHour + hours - 1, keys)) {
    const service = await timed(() => serviceRead(server.url, query, everyPage), times);
    const driver = await timed(() => driverRead(collection, query, everyPage), times);
    if (service.rows !== driver.rows) throw new Error(`bench: ${name}: the service read ${service.rows} rows, the driver ${driver.rows}`);
    results.push({
      scenario: name,
      server: server.kind,
      rangeRead: true,
      storeHours: hours,
      keys,
      query,
      rows: service.rows,
      pages: service.pages,
      requests: times,
      latencyP50Ms: service.p50Ms,
      latencyMaxMs: service.maxMs,
      driverQueryP50Ms: driver.p50Ms,
    });
  }
  return results;
}
