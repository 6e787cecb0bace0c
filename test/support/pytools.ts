import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

/** Runs a command in the repository, bounded in time; its status and output as text. */
export function run(command: string, args: string[], timeout = 60_000) {
  return spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', timeout });
}

/** The path of a pinned PyPI tool (scripts/pytools.sh), installed on first use: a fresh clone needs nothing else. */
export function pytool(name: string): string {
  const install = run('bash', ['scripts/pytools.sh', 'install', name], 5 * 60_000);
  if (install.status !== 0) throw new Error(`scripts/pytools.sh install ${name} failed:\n${install.stderr}`);
  return install.stdout.trim();
}
