// MongoDB as FAS runs it: the built service (node dist/index.js) on its own database, fed and read over its
// HTTP API exactly as its clients do, so whatever document shape and pipelines the service has, the
// comparison measures. The store is MongoDB at a URL, or mongo-java-server (a stand-in) started here.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseNumberAndBigInt } from 'lossless-json';
import { spawnServer } from '../../spawn-server.mjs';
import { processTreeCpuSeconds, processTreeWriteBytes } from '../../process-stats.mjs';
import { startStore, withoutPassword } from '../stores.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const headers = { 'content-type': 'application/json' };

/**
 * A GET of the service, and every page after it unless `firstPage`: its rows with exact totals. Refused reads
 * throw with the service's error.
 */
async function getRows(serviceUrl, query, firstPage = false) {
  const rows = [];
  for (let next = `/flows?${query}`; next; ) {
    const res = await fetch(`${serviceUrl}${next}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`the service answered ${res.status} to GET ${next}: ${text.slice(0, 300)}`);
    for (const row of parse(text, null, parseNumberAndBigInt)) {
      rows.push({ ...row, bytes_tx: BigInt(row.bytes_tx), bytes_rx: BigInt(row.bytes_rx) });
    }
    next = firstPage ? undefined : /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return rows;
}

/**
 * FAS on MongoDB at `url` (its server's process `pid`, when it runs on this machine), or on mongo-java-server
 * started here when there is none.
 */
export async function openMongoDB({ url, pid }) {
  const store = await startStore(url ? 'uri' : 'mongo-java-server', url && 'MongoDB', url);
  const database = `fas_dbchoice_${Date.now()}`;
  let service;
  try {
    const { version } = await store.client.db('admin').command({ buildInfo: 1 });
    const env = {
      ...process.env,
      MONGODB_URI: store.uri,
      MONGODB_DATABASE: database,
      SHUTDOWN_DELAY_MS: '0',
      // The bench's checks keep its event loop busy for seconds between requests, so a pooled connection's
      // idle timer cannot fire before the service would close that connection; it keeps them open instead.
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '600000',
      // A read is timed, however long it takes on a busy machine, rather than cut off at 5 s with a 503.
      MONGODB_QUERY_TIMEOUT_MS: '120000',
      MONGODB_SOCKET_TIMEOUT_MS: '180000',
    };
    const spawned = await spawnServer([join(root, 'dist/index.js')], env, '/readyz');
    service = spawned.child;
    const serviceUrl = spawned.url;
    return {
      label: url ? 'MongoDB' : 'mongo-java-server',
      client: 'service',
      design: 'FAS: roll-up documents, one $inc upsert per key and flush, its own reads',
      engine: url ? `MongoDB ${version} at ${withoutPassword(url)}, through FAS` : `${store.name}, through FAS`,
      real: Boolean(url),
      warm: store.warm,
      durability: url
        ? "write concern majority (FAS's default), journaled: a flush is answered once a majority of the replica set has it on disk"
        : 'write concern majority is asked and means nothing: mongo-java-server keeps everything in memory, with no journal',
      async ingest(body) {
        const res = await fetch(`${serviceUrl}/flows`, { method: 'POST', headers, body });
        if (!res.ok) throw new Error(`the service answered ${res.status} to a POST: ${(await res.text()).slice(0, 300)}`);
        await res.arrayBuffer();
      },
      usage: () => ({
        clientCpuS: processTreeCpuSeconds(service.pid),
        storeCpuS: pid ? processTreeCpuSeconds(pid) : store.cpuSeconds?.(),
        storeWriteBytes: pid && processTreeWriteBytes(pid),
      }),
      hourRows: (hour) => getRows(serviceUrl, `hour=${hour}`),
      topSrcApps: (from, to, n) => getRows(serviceUrl, `from=${from}&to=${to}&by=src_app&sort=bytes&limit=${n}`, true),
      destApps: (src, from, to) =>
        getRows(serviceUrl, `from=${from}&to=${to}&${new URLSearchParams({ src_app: src })}&by=dest_app&sort=bytes&limit=10000`),
      async storage() {
        const stats = await store.client.db(database).command({ dbStats: 1 });
        return {
          bytes: stats.storageSize + stats.indexSize,
          how: url ? 'dbStats storageSize + indexSize of the run\'s database' : 'dbStats storageSize + indexSize (mongo-java-server: in memory, an estimate)',
          stored: stats.objects,
          storedUnit: 'documents',
        };
      },
      async close() {
        const exited = new Promise((resolve) => service.once('exit', resolve));
        service.kill('SIGTERM');
        await exited;
        await store.client.db(database).dropDatabase().catch(() => {});
        await store.stop();
      },
    };
  } catch (err) {
    service?.kill('SIGKILL');
    await store.stop();
    throw err;
  }
}
