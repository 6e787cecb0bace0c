// Starts a Node server (the built service, or the bench's ceiling) as a child process on a free loopback
// port, and resolves once readyPath answers 200. Used by the benchmark and the soak test.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.mjs';

export async function spawnServer(nodeArgs, env, readyPath, timeoutMs = 120_000) {
  const port = await freePort();
  const child = spawn(process.execPath, nodeArgs, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(url + readyPath).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`${nodeArgs.at(-1)} did not answer ${readyPath} within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
  return { child, url };
}
