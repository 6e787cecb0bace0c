import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { chartDir, repoRoot } from './paths';
import { subchartArchives } from './subcharts';

export { chartDir, repoRoot };

/** Building helm from source takes a minute or two with a warm Go cache, longer on a fresh machine. */
export const HELM_INSTALL_TIMEOUT_MS = 20 * 60_000;
/** One helm template/lint run is well under a second; this bounds a hung one. */
export const HELM_RUN_TIMEOUT_MS = 60_000;

let helmPath: string | undefined;

/** The helm CLI: $HELM_BIN, or the one scripts/helm.sh builds and caches. */
export function helmBin(): string {
  helmPath ??=
    process.env.HELM_BIN ||
    execFileSync('bash', [path.join(repoRoot, 'scripts/helm.sh'), 'install'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: HELM_INSTALL_TIMEOUT_MS,
    }).trim();
  return helmPath;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A copy of the chart that helm can render here, with the real bitnami subcharts in its charts/ (see
 * subcharts.ts for where they come from), and, on request, a probe template that exposes NOTES.txt, which
 * `helm template` never prints, as a ConfigMap.
 */
export class StagedChart {
  readonly root: string;
  readonly dir: string;
  private readonly home: string;

  constructor() {
    this.root = mkdtempSync(path.join(tmpdir(), 'fas-chart-'));
    this.dir = path.join(this.root, 'fas');
    this.home = path.join(this.root, 'helm-home');
    cpSync(chartDir, this.dir, { recursive: true });
    mkdirSync(path.join(this.dir, 'charts'), { recursive: true });
    for (const archive of subchartArchives(helmBin())) {
      copyFileSync(archive, path.join(this.dir, 'charts', path.basename(archive)));
    }
  }

  /** Adds the NOTES probe (kept out of the lint copy so lint sees the chart as shipped). */
  withNotesProbe(): this {
    const notes = readFileSync(path.join(chartDir, 'templates/NOTES.txt'), 'utf8');
    writeFileSync(path.join(this.dir, 'templates/_notes_probe.tpl'), `{{- define "test.notes" -}}\n${notes}{{- end -}}\n`);
    writeFileSync(
      path.join(this.dir, 'templates/notes-probe.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n  notes: {{ include "test.notes" . | quote }}\n',
    );
    return this;
  }

  helm(args: string[]): HelmResult {
    const result = spawnSync(helmBin(), args, {
      encoding: 'utf8',
      timeout: HELM_RUN_TIMEOUT_MS,
      // A private helm home and no kubeconfig: nothing here may reach a registry or a cluster.
      env: {
        PATH: process.env.PATH,
        HOME: this.home,
        HELM_CACHE_HOME: path.join(this.home, 'cache'),
        HELM_CONFIG_HOME: path.join(this.home, 'config'),
        HELM_DATA_HOME: path.join(this.home, 'data'),
        KUBECONFIG: path.join(this.home, 'no-kubeconfig'),
      },
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** `helm template` with values given as an object (written to a file, like a user's -f). */
  template(values: object = {}, options: { release?: string; namespace?: string; extra?: string[] } = {}): HelmResult {
    const valuesFile = path.join(this.root, `values-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(valuesFile, JSON.stringify(values));
    return this.helm([
      'template',
      options.release ?? 'flows',
      this.dir,
      '--namespace',
      options.namespace ?? 'team-a',
      '--values',
      valuesFile,
      ...(options.extra ?? []),
    ]);
  }

  /** Rendered objects; throws with helm's message when rendering fails. */
  render(values: object = {}, options: { release?: string; namespace?: string; extra?: string[] } = {}): K8sObject[] {
    return this.renderWithWarnings(values, options).objects;
  }

  /** Rendered objects and what helm printed on stderr besides (its warnings); throws when rendering fails. */
  renderWithWarnings(
    values: object = {},
    options: { release?: string; namespace?: string; extra?: string[] } = {},
  ): { objects: K8sObject[]; stderr: string } {
    const result = this.template(values, options);
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    const objects = parseAllDocuments(result.stdout)
      .map((doc) => doc.toJS() as K8sObject | null)
      .filter((obj): obj is K8sObject => obj !== null);
    return { objects, stderr: result.stderr };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function find<T = K8sObject>(objects: K8sObject[], kind: string, name?: string): T {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} among ${objects.map((o) => o.kind).join(', ')}`);
  return found as unknown as T;
}

/** The objects of the fas chart itself, without those of its subcharts. */
/** Whether this chart rendered the object itself, not one of its subcharts. */
export function isOwn(o: K8sObject): boolean {
  return o.metadata.labels?.['helm.sh/chart']?.startsWith('fas-') ?? false;
}

export function own(objects: K8sObject[]): K8sObject[] {
  return objects.filter(isOwn);
}

export function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

/**
 * A staged chart for the tests of the enclosing file or describe block: built (and helm with it) before them,
 * removed after. Call the returned function inside a test.
 */
export function useStagedChart(prepare: (chart: StagedChart) => StagedChart = (chart) => chart): () => StagedChart {
  let chart: StagedChart | undefined;
  beforeAll(() => {
    helmBin();
    chart = prepare(new StagedChart());
  }, HELM_INSTALL_TIMEOUT_MS);
  afterAll(() => chart?.dispose());
  return () => {
    if (!chart) throw new Error('the staged chart is used outside its tests');
    return chart;
  };
}
