// Command-line options of the store comparison (run.mjs); every run is bounded in time and request count.
import { parseArgs } from 'node:util';

export const STORES = ['mongodb', 'postgres', 'timescaledb', 'influxdb'];

const usage = `usage: npm run bench:db -- [--quick] [--json FILE] [--store ${STORES.join(',')}]
                          [--keys N] [--hours N] [--duration S] [--warmup S] [--connections N] [--reads N]
                          [--mongodb-url URL] [--postgres-url URL] [--timescaledb-url URL] [--influxdb-url URL]
                          [--mongodb-pid PID] [--postgres-pid PID] [--timescaledb-pid PID] [--influxdb-pid PID]`;

const integer = (name, value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench:db: --${name} needs a positive integer\n${usage}`);
  return n;
};

export function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        store: { type: 'string', default: STORES.join(',') },
        ...Object.fromEntries(['keys', 'hours', 'duration', 'warmup', 'connections', 'reads'].map((n) => [n, { type: 'string' }])),
        ...Object.fromEntries(STORES.flatMap((s) => [[`${s}-url`, { type: 'string' }], [`${s}-pid`, { type: 'string' }]])),
      },
    }).values;
  } catch (err) {
    throw new Error(`bench:db: ${err.message}\n${usage}`);
  }
  const stores = parsed.store.split(',');
  const unknown = stores.filter((s) => !STORES.includes(s));
  if (unknown.length > 0) throw new Error(`bench:db: unknown store ${unknown.join(', ')}\n${usage}`);
  const quick = parsed.quick;
  const option = (name, full, short) => (parsed[name] === undefined ? (quick ? short : full) : integer(name, parsed[name]));
  return {
    quick,
    json: parsed.json,
    stores,
    urls: Object.fromEntries(STORES.map((s) => [s, parsed[`${s}-url`]])),
    // The process of a store at a URL that runs on this machine (a container's, from docker inspect), for its
    // CPU and writes from /proc.
    pids: Object.fromEntries(STORES.map((s) => [s, parsed[`${s}-pid`] && integer(`${s}-pid`, parsed[`${s}-pid`])])),
    // The agent load: 50,000 keys an hour, 16 agents reporting at once.
    keys: option('keys', 50_000, 1_000),
    hours: option('hours', 24, 3),
    durationS: option('duration', 10, 2),
    warmupS: option('warmup', 5, 1),
    connections: option('connections', 16, 16),
    reads: option('reads', 3, 2),
    command: `npm run bench:db -- ${argv.join(' ')}`.trim(),
  };
}
