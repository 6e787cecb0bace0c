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

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
}

test('the scripts this suite lints are there', () => {
  expect(scripts).toEqual(expect.arrayContaining(['scripts/helm.sh', 'scripts/dev-cluster.sh', 'scripts/e2e-kind.sh']));
});

describe.each(scripts)('%s', (script) => {
  test('exists and parses (bash -n)', () => {
    expect(existsSync(path.join(repoRoot, script))).toBe(true);
    const result = run('bash', ['-n', script]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('passes shellcheck', () => {
    const probe = run('shellcheck', ['--version']);
    if (probe.error || probe.status !== 0) {
      throw new Error('shellcheck is not installed (Debian: apt-get install -y shellcheck); the script lint needs it');
    }
    const result = run('shellcheck', ['--shell=bash', '--external-sources', script]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
