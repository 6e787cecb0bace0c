// Reads over ranges (docs/reads.md): the questions people ask of FAS, on a store holding `hours` hours of the
// agent key space, each timed through the service's GET (every page, to the last byte), by the driver alone
// running the same pipelines on the documents the planner picks (the store's floor), and by the driver on the
// key documents alone (what every read cost before the roll-ups).
import { createRequire } from 'node:module';
import { parse } from 'node:querystring';
import { median, seed, timedMs } from './scenarios.mjs';

const require = createRequire(import.meta.url);

/** The questions over the hours from..to; the names exist in every agent key space. */
function questions(from, to, keys, month, pageRows) {
  const range = `from=${from}&to=${to}`;
  const hours = `${to - from + 1} h`;
  const top = { name: `top 10 src_app by bytes over ${hours}`, query: `${range}&by=src_app&sort=bytes&limit=10` };
  if (month) return [top, { name: `bytes per hour over ${hours}`, query: `${range}&by=hour&limit=1000` }];
  return [
    top,
    { name: `one src_app by dest_app over ${hours}`, query: `${range}&src_app=app-src-1&by=dest_app&sort=bytes` },
    { name: `time series of one key over ${hours}`, query: `${range}&src_app=app-src-1&dest_app=app-dest-3&vpc_id=vpc-3&by=hour` },
    { name: `one hour of ${keys} keys, ${pageRows.toLocaleString('en')} rows a page`, query: `hour=${to}&limit=${pageRows}`, everyPage: true },
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

/**
 * The same read by the driver alone: the service's pipelines on the documents `plan` names, page after page,
 * resumed as the cursor does.
 */
async function driverRead(collections, query, everyPage, plan) {
  const { parseReadRequest } = require('../../dist/reads/readRequest.js');
  const { totalsPipeline } = require('../../dist/reads/totalsPipeline.js');
  const { sortKeyOf } = require('../../dist/reads/totalsQuery.js');
  const read = parseReadRequest(parse(query), Number.MAX_SAFE_INTEGER);
  const source = plan(read.query);
  let after;
  let rows = 0;
  let pages = 0;
  for (;;) {
    const pipeline = totalsPipeline({ ...read.query, limit: read.limit + 1, after }, source);
    const page = await collections.of(source.rollup).aggregate(pipeline, { useBigInt64: true, allowDiskUse: true }).toArray();
    pages += 1;
    rows += Math.min(page.length, read.limit);
    if (page.length <= read.limit || !everyPage) return { rows, pages, source };
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

/** What the plan reads, in words: "by_src_app: 30 days + 24 hours", "key documents". */
function described({ rollup, days, hours }) {
  if (!rollup) return 'key documents';
  const dayCount = days ? (days.to - days.from) / 24 + 1 : 0;
  const hourCount = hours.reduce((n, h) => n + h.to - h.from + 1, 0);
  return `${rollup.name}: ${[dayCount && `${dayCount} days`, hourCount && `${hourCount} hours`].filter(Boolean).join(' + ')}`;
}

/**
 * Seeds `hours` hours of `keys` keys (`destApps` dest apps, 100 unless given) into the server's collections,
 * then times each question `times` times through the service, by the driver alone on the planner's
 * documents, and by the driver on the key documents (`baseTimes` times: each costs the whole range). An
 * hour's keys are read `pageRows` a page, and both reads must take as many pages.
 */
export async function rangeReadScenarios(server, collection, { firstHour, hours, keys, destApps, times, baseTimes, pageRows, month = false }) {
  const { planRead, keyDocumentsPlan } = require('../../dist/reads/readPlan.js');
  const { FlowCollections } = require('../../dist/storage/flowCollections.js');
  const collections = new FlowCollections(collection.db, collection.collectionName);
  await seed(collection, keys, Array.from({ length: hours }, (_, i) => firstHour + i), destApps);
  // A fresh collection: the service covers every hour with roll-ups, as the planner is told here.
  const planned = (query) => planRead(query, { coveredFrom: 0, oldestKept: 0 });
  const results = [];
  for (const { name, query, everyPage = false } of questions(firstHour, firstHour + hours - 1, keys, month, pageRows)) {
    const service = await timed(() => serviceRead(server.url, query, everyPage), times);
    const driver = await timed(() => driverRead(collections, query, everyPage, planned), times);
    // A read planned onto the key documents is its own "before".
    const base = driver.source.rollup ? await timed(() => driverRead(collections, query, everyPage, keyDocumentsPlan), baseTimes) : driver;
    if (service.rows !== driver.rows || base.rows !== driver.rows || service.pages !== driver.pages) {
      throw new Error(`bench: ${name}: the service read ${service.rows} rows in ${service.pages} pages, the driver ${driver.rows} in ${driver.pages}, the key documents ${base.rows}`);
    }
    results.push({
      scenario: name,
      server: server.kind,
      rangeRead: true,
      storeHours: hours,
      keys,
      destApps: destApps ?? 100,
      query,
      plan: described(driver.source),
      rows: service.rows,
      pages: service.pages,
      requests: times,
      latencyP50Ms: service.p50Ms,
      latencyMaxMs: service.maxMs,
      driverQueryP50Ms: driver.p50Ms,
      keyDocumentsP50Ms: base.p50Ms,
    });
  }
  return results;
}
