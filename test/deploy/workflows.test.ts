import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { pytool, repoRoot, run } from '../support/pytools';

/** The GitHub workflows: valid against GitHub's schema, their shell steps clean, and the release as documented. */

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string | boolean>;
}
interface Defaults {
  defaults?: { run?: { shell?: string } };
}
interface Workflow extends Defaults {
  on: Record<string, { tags?: string[]; branches?: string[] } | null>;
  jobs: Record<
    string,
    Defaults & {
      permissions?: Record<string, string>;
      strategy?: { matrix: { include: Record<string, string>[] } };
      services?: Record<string, { image: string; env?: Record<string, string> }>;
      steps: Step[];
    }
  >;
}

const workflowsDir = path.join(repoRoot, '.github/workflows');
const files = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file));
const load = (file: string) => parse(readFileSync(path.join(workflowsDir, file), 'utf8')) as Workflow;
const work = mkdtempSync(path.join(tmpdir(), 'fas-workflows-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let checkJsonschema = '';
let shellcheck = '';
beforeAll(() => {
  // check-jsonschema carries GitHub's workflow schema offline.
  checkJsonschema = pytool('check-jsonschema');
  shellcheck = pytool('shellcheck');
}, 10 * 60_000);

const validate = (file: string) => run(checkJsonschema, ['--builtin-schema', 'vendor.github-workflows', file]);

describe.each(files)('%s', (file) => {
  test('is valid against the GitHub workflow schema (check-jsonschema vendor.github-workflows)', () => {
    const result = validate(path.join(workflowsDir, file));
    expect(result.stdout + result.stderr).toContain('ok -- validation done');
    expect(result.status).toBe(0);
  });

  test('every run step runs in bash with pipefail, so a failing command in a pipe fails the step', () => {
    // GitHub's default shell is `bash -e {0}`; `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
    const workflow = load(file);
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps.filter((s) => s.run)) {
        const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
        expect([step.name, shell]).toEqual([step.name, 'bash']);
      }
    }
  });

  test('every run step passes shellcheck', () => {
    const steps = Object.values(load(file).jobs).flatMap((job) => job.steps.filter((step) => step.run));
    for (const [i, step] of steps.entries()) {
      // GitHub substitutes ${{ … }} before bash sees the script.
      const script = path.join(work, `${file}-${i}.sh`);
      writeFileSync(script, `#!/usr/bin/env bash\nset -eo pipefail\n${step.run?.replace(/\$\{\{[^}]*\}\}/g, 'x')}`);
      const result = run(shellcheck, ['--shell=bash', script]);
      expect([step.name, result.stdout]).toEqual([step.name, '']);
    }
  });
});

test('the schema check catches a broken workflow', () => {
  const broken = path.join(work, 'broken.yml');
  writeFileSync(broken, 'name: broken\non: push\njobs:\n  build:\n    runs_on: ubuntu-latest\n    steps: []\n');
  expect(validate(broken).status).not.toBe(0);
});

describe('release.yml', () => {
  const workflow = load('release.yml');
  const [job] = Object.values(workflow.jobs);
  const step = (uses: string) => job.steps.find((s) => s.uses?.startsWith(uses));
  const script = job.steps.map((s) => s.run ?? '').join('\n');

  test('runs on version tags only, allowed to push packages and to sign keylessly', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(job.permissions).toMatchObject({ packages: 'write', 'id-token': 'write' });
  });

  test('builds linux/amd64 and linux/arm64 with buildx, with SBOM and provenance, and pushes to ghcr.io', () => {
    expect(step('docker/setup-buildx-action')).toBeDefined();
    expect(step('docker/setup-qemu-action')).toBeDefined();
    expect(step('docker/build-push-action')?.with).toMatchObject({
      platforms: 'linux/amd64,linux/arm64',
      push: true,
      sbom: true,
      file: './Dockerfile',
    });
    expect(step('docker/metadata-action')?.with?.images).toBe('ghcr.io/${{ steps.prep.outputs.owner }}/fas');
    expect(existsSync(path.join(repoRoot, 'Dockerfile'))).toBe(true);
  });

  test('pushes the chart, pointed at the released image, to oci://ghcr.io/OWNER/charts, and signs both', () => {
    const chart = parse(readFileSync(path.join(repoRoot, 'charts/fas/Chart.yaml'), 'utf8')) as { name: string };
    const values = parse(readFileSync(path.join(repoRoot, 'charts/fas/values.yaml'), 'utf8')) as { image: { repository: string } };
    expect(chart.name).toBe('fas');
    expect(values.image.repository).toBeDefined();
    expect(script).toContain(`yq -i '.image.repository = strenv(IMAGE)' charts/fas/values.yaml`);
    expect(script).toContain('helm dependency build charts/fas');
    expect(script).toContain('helm package charts/fas --version "$VERSION" --app-version "$VERSION"');
    expect(script).toContain('helm push "fas-$VERSION.tgz" "oci://ghcr.io/$OWNER/charts"');
    expect(script).toContain('cosign sign --yes "ghcr.io/$OWNER/fas@$IMAGE_DIGEST"');
    expect(script).toContain('cosign sign --yes "ghcr.io/$OWNER/charts/fas@$CHART_DIGEST"');
  });
});

describe('e2e.yml', () => {
  const workflow = load('e2e.yml');

  test('lints the chart with chart-testing, configured by ct.yaml', () => {
    const steps = workflow.jobs.lint.steps;
    expect(steps.some((s) => s.uses?.startsWith('helm/chart-testing-action'))).toBe(true);
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual(['ct lint --config ct.yaml']);
    expect(parse(readFileSync(path.join(repoRoot, 'ct.yaml'), 'utf8'))).toMatchObject({ charts: ['charts/fas'] });
  });

  test('installs every mode on kind, with files that exist', () => {
    const matrix = workflow.jobs.kind.strategy?.matrix.include ?? [];
    expect(matrix.map((m) => m.mode)).toEqual(['replicaset', 'sharded', 'light']);
    for (const file of matrix.flatMap((m) => m.args.split(' ')).filter((arg) => arg.endsWith('.yaml'))) {
      expect(existsSync(path.join(repoRoot, file))).toBe(true);
    }
  });
});

describe('db-choice.yml', () => {
  const workflow = load('db-choice.yml');
  const job = workflow.jobs.compare;
  const script = job.steps.map((s) => s.run ?? '').join('\n');

  test('runs only when started by hand', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
  });

  test('runs the four real engines as service containers: MongoDB 8, PostgreSQL 17 with and without TimescaleDB, InfluxDB 1.8', () => {
    const images = Object.fromEntries(Object.entries(job.services ?? {}).map(([name, service]) => [name, service.image]));
    expect(images).toEqual({
      mongodb: 'mongo:8.0',
      postgres: 'postgres:17',
      timescaledb: 'timescale/timescaledb:latest-pg17',
      influxdb: 'influxdb:1.8',
    });
    expect(job.services?.influxdb.env?.INFLUXDB_DATA_WAL_FSYNC_DELAY).toBe('0s');
  });

  test('points the comparison at every container, with a PID for its /proc figures, and uploads the table', () => {
    expect(script).toContain('scripts/bench/dbchoice/run.mjs --json out/db-choice.json');
    for (const store of ['mongodb', 'postgres', 'timescaledb', 'influxdb']) {
      expect(script).toMatch(new RegExp(`--${store}-url \\S+ --${store}-pid "\\$\\(pid "\\$${store.toUpperCase()}_ID"\\)"`));
    }
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with).toMatchObject({ name: 'db-choice', path: 'out/' });
  });
});

describe('.github/dependabot.yml', () => {
  const file = path.join(repoRoot, '.github/dependabot.yml');

  test('is valid against the Dependabot schema (check-jsonschema vendor.dependabot)', () => {
    const result = run(checkJsonschema, ['--builtin-schema', 'vendor.dependabot', file]);
    expect(result.stdout + result.stderr).toContain('ok -- validation done');
    expect(result.status).toBe(0);
  });

  test('proposes upgrades of the pinned MongoDB driver, so the tests of its internals run on them', () => {
    const config = parse(readFileSync(file, 'utf8')) as { updates: { 'package-ecosystem': string; ignore?: { 'dependency-name': string }[] }[] };
    const npm = config.updates.find((u) => u['package-ecosystem'] === 'npm');
    expect(npm).toBeDefined();
    expect((npm?.ignore ?? []).map((i) => i['dependency-name'])).not.toContain('mongodb');
    const pinned = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
      .dependencies.mongodb;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
