// A free TCP port on 127.0.0.1, for servers the scripts and benchmarks start. Imported by the Node scripts;
// run directly (`node scripts/free-port.mjs`) it prints one, for the shell scripts.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await freePort());
