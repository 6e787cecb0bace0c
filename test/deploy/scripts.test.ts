import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');
const scripts = [
  ...readdirSync(path.join(repoRoot, 'scripts'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => `scripts/${f}`),
  '.ci/run',
];

function run(command: string, args: string[], timeout = 30_000) {
  return spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', timeout });
}

let shellcheck = '';
beforeAll(() => {
  // The project's own pinned shellcheck, installed from PyPI on first use: a fresh clone needs nothing else.
  const install = run('bash', ['scripts/pytools.sh', 'install', 'shellcheck'], 5 * 60_000);
  if (install.status !== 0) throw new Error(`scripts/pytools.sh install shellcheck failed:\n${install.stderr}`);
  shellcheck = install.stdout.trim();
}, 5 * 60_000);

test('the scripts this suite lints are there', () => {
  expect(scripts).toEqual(expect.arrayContaining(['scripts/helm.sh', 'scripts/pytools.sh', 'scripts/dev-cluster.sh', 'scripts/e2e-kind.sh']));
});

describe.each(scripts)('%s', (script) => {
  test('exists and parses (bash -n)', () => {
    expect(existsSync(path.join(repoRoot, script))).toBe(true);
    const result = run('bash', ['-n', script]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('passes shellcheck', () => {
    const result = run(shellcheck, ['--shell=bash', '--external-sources', script]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
