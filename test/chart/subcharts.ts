import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { chartDir, repoRoot, sharedDir, sharedDirCandidates } from './paths';

export interface Dependency {
  name: string;
  version: string;
  repository: string;
}

/** The subcharts Chart.yaml declares. */
export function dependencies(): Dependency[] {
  return (parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies: Dependency[] }).dependencies;
}

/** The registry is unreachable on some machines: a refusal is quick, a silent network is cut off here. */
const DEPENDENCY_BUILD_TIMEOUT_MS = 30_000;

// Found once per test process; a failure too, so a silent registry costs its timeout only once.
let archives: string[] | Error | undefined;

/**
 * The real subcharts as `helm dependency build` leaves them in charts/ (NAME-VERSION.tgz), from the first
 * source that has them all: $FAS_SUBCHARTS_DIR when set (and then only it); ../shared/charts beside the
 * checkout or the one it was cloned from; `helm dependency build` from the registry. Throws, naming every
 * source tried, when none has them: the chart tests never skip.
 */
export function subchartArchives(helm: string): string[] {
  if (archives === undefined) {
    try {
      archives = locate(helm);
    } catch (err) {
      archives = err as Error;
    }
  }
  if (archives instanceof Error) throw archives;
  return archives;
}

function locate(helm: string): string[] {
  const wanted = dependencies().map((dep) => `${dep.name}-${dep.version}.tgz`);
  const tried: string[] = [];
  const inDir = (dir: string, source: string): string[] | undefined => {
    const missing = wanted.filter((file) => !existsSync(path.join(dir, file)));
    if (missing.length === 0) return wanted.map((file) => path.join(dir, file));
    tried.push(`${source} ${dir} lacks ${missing.join(', ')}`);
    return undefined;
  };

  const explicit = process.env.FAS_SUBCHARTS_DIR;
  if (explicit) {
    const found = inDir(path.resolve(repoRoot, explicit), 'FAS_SUBCHARTS_DIR');
    if (found) return found;
    throw new Error(notFound(wanted, tried));
  }

  const shared = sharedDir();
  if (!shared) tried.push(`no shared folder at ${sharedDirCandidates().join(' or ')}`);
  const found = (shared && inDir(path.join(shared, 'charts'), 'the shared charts folder')) || dependencyBuild(helm, wanted, tried);
  if (found) return found;
  throw new Error(notFound(wanted, tried));
}

/** `helm dependency build` of a copy of Chart.yaml in a private helm home; undefined when it fails. */
function dependencyBuild(helm: string, wanted: string[], tried: string[]): string[] | undefined {
  const root = mkdtempSync(path.join(tmpdir(), 'fas-subcharts-'));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'fas');
  mkdirSync(dir);
  copyFileSync(path.join(chartDir, 'Chart.yaml'), path.join(dir, 'Chart.yaml'));
  const home = path.join(root, 'home');
  const result = spawnSync(helm, ['dependency', 'build', dir], {
    encoding: 'utf8',
    timeout: DEPENDENCY_BUILD_TIMEOUT_MS,
    env: { PATH: process.env.PATH, HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config') },
  });
  const built = wanted.map((file) => path.join(dir, 'charts', file));
  if (result.status === 0 && built.every((file) => existsSync(file))) return built;
  const why = result.error
    ? `${result.error.message}`
    : (result.stderr.trim().split('\n').pop() ?? `exit status ${result.status}`);
  const registries = [...new Set(dependencies().map((dep) => dep.repository))].join(', ');
  tried.push(`helm dependency build from ${registries} failed: ${why}`);
  return undefined;
}

function notFound(wanted: string[], tried: string[]): string {
  return [
    `The chart tests render charts/fas with its real subcharts (${wanted.join(', ')}) and found none:`,
    ...tried.map((line) => `  - ${line}`),
    'Set FAS_SUBCHARTS_DIR to a folder holding those archives (e.g. `helm pull` them there), or run where the',
    'chart registry answers, or keep a ../shared/charts folder beside the checkout.',
  ].join('\n');
}
