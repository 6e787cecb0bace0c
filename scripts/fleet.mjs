// `npm run fleet [-- --members N]`: N members of a fleet (default 3) on loopback ports 9531, 9532, …, each
// the built service, routing records among themselves over one MongoDB (MONGODB_URI, or the embedded store)
// through their own ports 9631, 9632, … (HOP_PORT). Post to any of them; Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startEmbeddedMongo } = createRequire(import.meta.url)('./embedded-mongo.js');
const { values } = parseArgs({ options: { members: { type: 'string', default: '3' }, 'first-port': { type: 'string', default: '9531' } } });
const members = Number(values.members);
const firstPort = Number(values['first-port']);
if (!Number.isInteger(members) || members < 1 || members > 16) {
  console.error('fleet: --members must be 1 to 16');
  process.exit(2);
}

const mongo = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
const HOP_OFFSET = 100;
const urls = Array.from({ length: members }, (_, i) => `http://127.0.0.1:${firstPort + i}`);
const peers = urls.map((_, i) => `http://127.0.0.1:${firstPort + HOP_OFFSET + i}`);
const children = urls.map((_, i) =>
  spawn(process.execPath, [join(root, 'dist/index.js')], {
    env: {
      SHUTDOWN_DELAY_MS: '0',
      ...process.env,
      ...(mongo && { MONGODB_URI: mongo.uri }),
      HOST: '127.0.0.1',
      PORT: String(firstPort + i),
      HOP_PORT: String(firstPort + HOP_OFFSET + i),
      PEERS: peers.join(','),
      PEER_URL: peers[i],
    },
    stdio: 'inherit',
  }),
);
console.error(`fleet: ${members} members, ${urls.join(' ')}; post to any of them`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => children.forEach((c) => c.kill(signal)));
await Promise.all(children.map((c) => new Promise((resolve) => c.on('exit', resolve))));
await mongo?.stop();
