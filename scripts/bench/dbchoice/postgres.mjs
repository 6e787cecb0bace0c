// PostgreSQL (and TimescaleDB, which is PostgreSQL with an extension) as the flow store, written as its
// documentation recommends for this shape: a roll-up table whose unique key takes each flush as one
// INSERT … ON CONFLICT DO UPDATE from arrays (unnest), reads by GROUP BY over the indexes they need.
import pg from 'pg';
import { directoryBytes, startScriptedServer, withoutPassword } from '../stores.mjs';
import { groupCommitted, sortedKeys, usageSince } from './groupCommitted.mjs';

/** One flush's keys as the six arrays the statements unnest: hour, names, and totals as exact text. */
function flushArrays(totals) {
  const columns = [[], [], [], [], [], []];
  for (const { key, bytesTx, bytesRx } of sortedKeys(totals)) {
    columns[0].push(key.hour);
    columns[1].push(key.src_app);
    columns[2].push(key.dest_app);
    columns[3].push(key.vpc_id);
    columns[4].push(String(bytesTx));
    columns[5].push(String(bytesRx));
  }
  return columns;
}

export const UNNEST = 'unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])';

/**
 * The roll-up: one row per (hour, src_app, dest_app, vpc_id), added to in place. fillfactor 70 leaves room in
 * each page for the new row versions of updates, so most are HOT (no index entry written); the second index
 * serves the reads that filter by src_app over many hours.
 */
export const rollUp = {
  design: 'roll-up table: one row per key-hour, INSERT … ON CONFLICT DO UPDATE',
  setup: [
    `CREATE TABLE flows (hour int NOT NULL, src_app text NOT NULL, dest_app text NOT NULL, vpc_id text NOT NULL,
       bytes_tx bigint NOT NULL, bytes_rx bigint NOT NULL, PRIMARY KEY (hour, src_app, dest_app, vpc_id))
     WITH (fillfactor = 70)`,
    'CREATE INDEX flows_src_hour ON flows (src_app, hour)',
  ],
  write: `INSERT INTO flows AS t (hour, src_app, dest_app, vpc_id, bytes_tx, bytes_rx) SELECT * FROM ${UNNEST}
          ON CONFLICT (hour, src_app, dest_app, vpc_id)
          DO UPDATE SET bytes_tx = t.bytes_tx + excluded.bytes_tx, bytes_rx = t.bytes_rx + excluded.bytes_rx`,
  // SUM over bigint is numeric in PostgreSQL: exact past 2^63.
  hour: 'SELECT src_app, dest_app, vpc_id, bytes_tx, bytes_rx FROM flows WHERE hour = $1 ORDER BY src_app, dest_app, vpc_id',
  top: `SELECT src_app, SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx FROM flows WHERE hour BETWEEN $1 AND $2
        GROUP BY src_app ORDER BY SUM(bytes_tx) + SUM(bytes_rx) DESC, src_app LIMIT $3`,
  dest: `SELECT dest_app, SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx FROM flows WHERE src_app = $1
         AND hour BETWEEN $2 AND $3 GROUP BY dest_app ORDER BY SUM(bytes_tx) + SUM(bytes_rx) DESC, dest_app`,
  storage: {
    bytes: "SELECT pg_total_relation_size('flows') AS bytes",
    how: 'pg_total_relation_size(flows): heap, indexes, TOAST, free space map',
    stored: 'SELECT count(*) AS n FROM flows',
    unit: 'rows',
  },
};

const exact = (row) => ({ ...row, bytes_tx: BigInt(row.bytes_tx), bytes_rx: BigInt(row.bytes_rx) });

/**
 * A store on PostgreSQL at `url` (its server's process `pid`, when it runs on this machine), or on a cluster of
 * its own (scripts/postgres.sh) when there is none, in a schema of its own, with `design`'s tables.
 * `extension` is created first (TimescaleDB).
 */
export async function openPostgres({ url, pid, design, label, extension }) {
  const local = url ? undefined : startScriptedServer('scripts/postgres.sh', 'postgres.pid', 'postgres');
  const serverPid = local?.pid ?? pid;
  const schema = `fas_dbchoice_${Date.now()}`;
  const connect = async () => {
    const client = new pg.Client({ connectionString: url ?? local.url });
    await client.connect();
    await client.query(`SET search_path TO ${schema}, public`);
    return client;
  };
  let writer;
  let reader;
  try {
    writer = await connect();
    if (extension) await writer.query(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
    await writer.query(`CREATE SCHEMA ${schema}`);
    for (const statement of design.setup) await writer.query(statement);
    reader = await connect();
    const setting = async (name) => (await writer.query(`SHOW ${name}`)).rows[0][name];
    const version = await setting('server_version');
    const extVersion = extension
      ? (await writer.query('SELECT extversion FROM pg_extension WHERE extname = $1', [extension])).rows[0].extversion
      : undefined;
    const durability = `synchronous_commit=${await setting('synchronous_commit')}, fsync=${await setting('fsync')}: a flush's commit waits for its WAL to be fsynced`;
    const rows = async (sql, values) => (await reader.query(sql, values)).rows.map(exact);
    return {
      label,
      client: 'bench',
      design: design.design,
      engine: `${extension ? `TimescaleDB ${extVersion} on ` : ''}PostgreSQL ${version}${local ? ' (Debian package, scripts/postgres.sh), same machine' : ` at ${withoutPassword(url)}`}`,
      real: true,
      durability,
      ingest: groupCommitted((totals) => writer.query({ name: 'write', text: design.write, values: flushArrays(totals) })),
      usage: usageSince(serverPid),
      beforeReads: design.beforeReads && (() => writer.query(design.beforeReads)),
      hourRows: (hour) => rows(design.hour, [hour]),
      topSrcApps: (from, to, n) => rows(design.top, [from, to, n]),
      destApps: (src, from, to) => rows(design.dest, [src, from, to]),
      async storage() {
        const { bytes, how, stored, unit } = design.storage;
        return {
          bytes: Number((await reader.query(bytes)).rows[0].bytes),
          how,
          stored: Number((await reader.query(stored)).rows[0].n),
          storedUnit: unit,
          dirBytes: local && directoryBytes(`${local.dir}/data`),
        };
      },
      async close() {
        await writer.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
        await Promise.all([writer.end(), reader.end()]);
        local?.stop();
      },
    };
  } catch (err) {
    await Promise.all([writer?.end(), reader?.end()]).catch(() => {});
    local?.stop();
    throw err;
  }
}
