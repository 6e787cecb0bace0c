// The client side without a store, measured in the same run as the stores: the floor each store's client CPU
// per flow is read against. FAS's ceiling server (scripts/bench/ceiling.mjs: the service with a store that
// answers at once) for MongoDB; the bench's own group commit with a write that resolves at once for the
// stores driven from this process.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from '../../spawn-server.mjs';
import { processTreeCpuSeconds } from '../../process-stats.mjs';
import { groupCommitted } from './groupCommitted.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function openServiceFloor() {
  const { child, url } = await spawnServer([join(root, 'scripts/bench/ceiling.mjs')], { ...process.env }, '/metrics');
  return {
    label: 'FAS, no store',
    client: 'service',
    floor: true,
    design: 'scripts/bench/ceiling.mjs: the service with a store that answers at once',
    engine: 'none',
    async ingest(body) {
      const res = await fetch(`${url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (!res.ok) throw new Error(`the ceiling answered ${res.status}`);
      await res.arrayBuffer();
    },
    usage: () => ({ clientCpuS: processTreeCpuSeconds(child.pid) }),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function openGroupCommitFloor() {
  const started = process.cpuUsage();
  return {
    label: 'bench client, no store',
    client: 'bench',
    floor: true,
    design: "parse, validate, the service's group commit, and a write that resolves at once",
    engine: 'none',
    ingest: groupCommitted(async () => {}),
    usage() {
      const cpu = process.cpuUsage(started);
      return { clientCpuS: (cpu.user + cpu.system) / 1e6 };
    },
    async close() {},
  };
}
