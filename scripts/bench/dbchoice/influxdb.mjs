// InfluxDB 1.x as the flow store, written as its documentation recommends: points in line protocol batches
// (tags src_app, dest_app, vpc_id sorted by key; integer fields bytes_tx, bytes_rx), reads with SUM … GROUP BY
// over the hour and the day, TOP over a subquery for the top talkers. Through its HTTP API, no client library.
import { parse, parseNumberAndBigInt } from 'lossless-json';
import { directoryBytes, startScriptedServer, withoutPassword } from '../stores.mjs';
import { groupCommitted, usageSince } from './groupCommitted.mjs';

const NS_PER_HOUR = 3_600_000_000_000n;

/** A tag value in line protocol: commas, equals signs and spaces escaped (names hold no control characters). */
const tag = (value) => value.replace(/[,= \\]/g, (c) => `\\${c}`);
/** A string literal in InfluxQL. */
const literal = (value) => `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
const hourRange = (from, to) => `time >= ${BigInt(from) * NS_PER_HOUR} AND time < ${BigInt(to + 1) * NS_PER_HOUR}`;

/**
 * A store on InfluxDB at `url` (its server's process `pid`, when it runs on this machine), or on a server of
 * its own (scripts/influxdb.sh) when there is none, in a database of its own.
 */
export async function openInfluxDB({ url, pid }) {
  const local = url ? undefined : startScriptedServer('scripts/influxdb.sh', 'influxd.pid', 'influxdb');
  const serverPid = local?.pid ?? pid;
  const base = url ?? local.url;
  const database = `fas_dbchoice_${Date.now()}`;

  /** An InfluxQL statement's series, numbers exact (integers past 2^53 as bigint). */
  const query = async (q, db = database) => {
    const res = await fetch(`${base}/query?${new URLSearchParams({ db, q })}`, { method: 'POST' });
    const text = await res.text();
    const result = res.ok ? parse(text, null, parseNumberAndBigInt).results[0] : undefined;
    if (!res.ok || result.error) throw new Error(`InfluxDB answered ${res.status} to ${q}: ${result?.error ?? text}`);
    return result.series ?? [];
  };
  /** Each series of a GROUP BY as one row: its tags and the named columns of its single value. */
  const groupRows = (series, columns) =>
    series.map((s) => {
      const row = { ...s.tags };
      for (const c of columns) row[c] = BigInt(s.values[0][s.columns.indexOf(c)]);
      return row;
    });
  const byTotalThen = (name) => (a, b) => {
    const [x, y] = [a.bytes_tx + a.bytes_rx, b.bytes_tx + b.bytes_rx];
    return x !== y ? (y > x ? 1 : -1) : a[name] < b[name] ? -1 : a[name] > b[name] ? 1 : 0;
  };

  // InfluxDB keeps one point per series and timestamp: a second write replaces the first one's fields. So
  // each flush's points get a timestamp of their own, the hour's start plus the flush's number in
  // nanoseconds, and the hour's total is the SUM of its points.
  let flushes = 0n;
  const write = async (totals) => {
    const offset = flushes++;
    const lines = [];
    for (const { key, bytesTx, bytesRx } of totals.byKey.values()) {
      lines.push(
        `flows,dest_app=${tag(key.dest_app)},src_app=${tag(key.src_app)},vpc_id=${tag(key.vpc_id)} ` +
          `bytes_rx=${bytesRx}i,bytes_tx=${bytesTx}i ${BigInt(key.hour) * NS_PER_HOUR + offset}`,
      );
    }
    const res = await fetch(`${base}/write?${new URLSearchParams({ db: database, precision: 'ns' })}`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    // A 400 may be a partial write: the valid lines of the batch are stored, the rest dropped.
    if (res.status !== 204) throw new Error(`InfluxDB answered ${res.status} to a write: ${await res.text()}`);
  };

  try {
    const version = (await fetch(`${base}/ping`)).headers.get('x-influxdb-version');
    await query(`CREATE DATABASE ${database}`, '');
    return {
      label: 'InfluxDB',
      client: 'bench',
      design: 'a point per key and flush, SUM … GROUP BY at read time',
      engine: `InfluxDB ${version}${local ? ' (Debian package, scripts/influxdb.sh), same machine' : ` at ${withoutPassword(base)}`}`,
      real: true,
      durability: local
        ? 'wal-fsync-delay 0s: the WAL is fsynced before a write is answered'
        : "the server's wal-fsync-delay (0s by default: the WAL is fsynced before a write is answered)",
      ingest: groupCommitted(write),
      usage: usageSince(serverPid),
      async hourRows(hour) {
        const series = await query(
          `SELECT SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx FROM flows WHERE ${hourRange(hour, hour)} GROUP BY src_app, dest_app, vpc_id`,
        );
        return groupRows(series, ['bytes_tx', 'bytes_rx']);
      },
      async topSrcApps(from, to, n) {
        const [series] = await query(
          `SELECT TOP(total, src_app, ${n}), bytes_tx, bytes_rx FROM (SELECT SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx, ` +
            `SUM(bytes_tx) + SUM(bytes_rx) AS total FROM flows WHERE ${hourRange(from, to)} GROUP BY src_app)`,
        );
        // TOP answers in time order; its rows all carry the range's start, so the order is put back here.
        const rows = (series?.values ?? []).map((v) => ({
          src_app: v[series.columns.indexOf('src_app')],
          bytes_tx: BigInt(v[series.columns.indexOf('bytes_tx')]),
          bytes_rx: BigInt(v[series.columns.indexOf('bytes_rx')]),
        }));
        return rows.sort(byTotalThen('src_app'));
      },
      async destApps(src, from, to) {
        const series = await query(
          `SELECT SUM(bytes_tx) AS bytes_tx, SUM(bytes_rx) AS bytes_rx FROM flows WHERE src_app = ${literal(src)} AND ${hourRange(from, to)} GROUP BY dest_app`,
        );
        return groupRows(series, ['bytes_tx', 'bytes_rx']).sort(byTotalThen('dest_app'));
      },
      async storage() {
        const stats = await query('SHOW STATS', '');
        const shards = stats.filter((s) => s.name === 'shard' && s.tags?.database === database);
        const [points] = await query('SELECT COUNT(bytes_tx) FROM flows');
        return {
          bytes: shards.reduce((sum, s) => sum + Number(s.values[0][s.columns.indexOf('diskBytes')]), 0),
          how: "SHOW STATS diskBytes of the database's shards: TSM files and WAL (not the series file)",
          stored: Number(points?.values[0][1] ?? 0),
          storedUnit: 'points',
          dirBytes: local && directoryBytes(local.dir),
        };
      },
      async close() {
        await query(`DROP DATABASE ${database}`, '').catch(() => {});
        local?.stop();
      },
    };
  } catch (err) {
    local?.stop();
    throw err;
  }
}
