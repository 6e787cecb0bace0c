// `npm run dev`: the built service on port 9527, with its own MongoDB unless MONGODB_URI is set. Ctrl-C stops
// both.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startEmbeddedMongo } = createRequire(import.meta.url)('./embedded-mongo.js');

const mongo = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
const service = spawn(process.execPath, [join(root, 'dist/index.js')], {
  env: { SHUTDOWN_DELAY_MS: '0', ...process.env, ...(mongo && { MONGODB_URI: mongo.uri }) },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => service.kill(signal));
service.on('exit', async (code) => {
  await mongo?.stop();
  process.exit(code ?? 1);
});
