import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pytool, repoRoot, run } from '../support/pytools';

const scripts = [
  ...readdirSync(path.join(repoRoot, 'scripts'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => `scripts/${f}`),
  '.ci/run',
];

let shellcheck = '';
beforeAll(() => {
  shellcheck = pytool('shellcheck');
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
