// A free TCP port on 127.0.0.1, for servers the scripts, benchmarks and tests start. Imported by the Node
// scripts; run directly (`node scripts/free-port.mjs`) it prints one, for the shell scripts and the tests.
//
// The port is chosen at random below the kernel's ephemeral range, then checked free by binding it. A port
// the kernel hands out for bind(0) comes from that range, where every outgoing connection (a test's
// thousands, to its MongoDB) also takes its local port: once the check released it, one of those could take
// it before the server listened (EADDRINUSE, seen with two test runs at once).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const LOWEST = 10_000;

function ephemeralStart() {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

const bindable = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

export async function freePort() {
  // A system whose ephemeral range starts low still gets a range to draw from.
  const end = Math.max(ephemeralStart(), LOWEST + 1_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (end - LOWEST));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${LOWEST}-${end - 1} after 50 tries`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await freePort());
