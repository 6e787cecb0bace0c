// Command-line options of npm run bench; every run is bounded in time and request count.

const usage = `usage: npm run bench -- [--quick] [--json FILE] [--store ferretdb|mongo-java-server] [--keys N] [--duration S]
                       [--warmup S] [--connections 1,16,64] [--only idle,agent-100,agent-100-keyed,batch-1000,hot-keys-100,GET,ranges,growth,fleet]
                       [--records N] [--rate N] [--members N]
                       [--windows 0,2,5,10,20] [--flush-window-ms N]
                       [--target URL] [--server NAME] [--cpu-prof DIR]`;
const STORES = ['ferretdb', 'mongo-java-server'];

function list(value) {
  return value.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bench: not a list of integers: ${value}\n${usage}`);
    return n;
  });
}

export function parseArgs(argv) {
  const args = {
    quick: false,
    json: undefined,
    stores: STORES,
    keys: undefined,
    durationS: undefined,
    warmupS: undefined,
    connections: [1, 16, 64],
    only: undefined,
    windows: undefined,
    flushWindowMs: undefined,
    records: undefined,
    rate: undefined,
    members: undefined,
    target: undefined,
    server: undefined,
    nodeFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${argv[i - 1]} needs a value\n${usage}`);
      return v;
    };
    switch (argv[i]) {
      case '--quick': args.quick = true; break;
      case '--json': args.json = value(); break;
      case '--store': args.stores = value().split(','); break;
      case '--keys': args.keys = list(value())[0]; break;
      case '--duration': args.durationS = list(value())[0]; break;
      case '--warmup': args.warmupS = list(value())[0]; break;
      case '--connections': args.connections = list(value()); break;
      case '--only': args.only = value().split(','); break;
      case '--windows': args.windows = list(value()); break;
      case '--flush-window-ms': args.flushWindowMs = list(value())[0]; break;
      case '--records': args.records = list(value())[0]; break;
      case '--rate': args.rate = list(value())[0]; break;
      case '--members': args.members = list(value())[0]; break;
      case '--target': args.target = value(); break;
      case '--server': args.server = value(); break;
      case '--cpu-prof': args.nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${value()}`]; break;
      default: throw new Error(`bench: unknown option ${argv[i]}\n${usage}`);
    }
  }
  if (args.target && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(args.target)) {
    throw new Error('bench: --target must be a loopback http:// URL');
  }
  args.target = args.target?.replace(/\/$/, '');
  const unknown = args.stores.filter((s) => !STORES.includes(s));
  if (unknown.length > 0) throw new Error(`bench: unknown store ${unknown.join(', ')}\n${usage}`);
  args.durationS ??= args.quick ? 2 : 10;
  // A fresh process spends its first seconds compiling hot code on V8's background threads, CPU the process
  // time counts; a slow scenario (few flows a second) would carry all of it, so each one runs unmeasured first.
  args.warmupS ??= args.quick ? 1 : 3;
  // Load on a JVM store before its first measurement (stores.mjs).
  args.storeWarmupS = args.quick ? 2 : 10;
  if (args.quick) args.connections = args.connections.filter((c) => c !== 1 || args.connections.length === 1);
  return args;
}
