import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const chartDir = path.join(repoRoot, 'charts/fas');

/** Where sharedDir looks, in order, for messages that say what was tried. */
export function sharedDirCandidates(): string[] {
  if (process.env.FAS_SHARED_DIR) return [process.env.FAS_SHARED_DIR];
  // git exits 1 when there is no origin; a URL origin resolves to a path that does not exist.
  const origin = spawnSync('git', ['config', '--get', 'remote.origin.url'], { cwd: repoRoot, encoding: 'utf8' });
  return [...new Set([path.resolve(repoRoot, '../shared'), path.resolve(origin.stdout.trim() || repoRoot, '../shared')])];
}

/**
 * The shared material (skaffold schema, real subcharts) at ../shared beside every checkout. A throw-away clone
 * of a checkout (git clone . /tmp/x) has none beside it: it uses the one beside the checkout it came from.
 * FAS_SHARED_DIR overrides both. Undefined when there is none.
 */
export function sharedDir(): string | undefined {
  return sharedDirCandidates().find((dir) => existsSync(dir));
}
