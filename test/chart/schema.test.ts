import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chartDir, repoRoot, useStagedChart } from './helm';

const T = 60_000;
const chart = useStagedChart();

// The modes chart-testing lints too (ct.yaml): the defaults and each ci/*-values.yaml; then the dev values.
const ciValues = readdirSync(path.join(chartDir, 'ci')).map((file) => path.join(chartDir, 'ci', file));
const devValues = ['values-dev.yaml', 'values-sharded.yaml'].map((file) => path.join(repoRoot, 'k8s', file));

describe('helm lint --strict with the real subcharts: no warning at all', () => {
  test.each([
    ['defaults (replica set)', []],
    ...ciValues.map((file) => [path.relative(repoRoot, file), ['--values', file]]),
    ['dev values', ['--values', devValues[0]]],
    ['dev sharded values', devValues.flatMap((file) => ['--values', file])],
  ] as [string, string[]][])(
    '%s',
    (_name, args) => {
      const result = chart().helm(['lint', '--strict', chart().dir, ...args]);
      expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(result.stdout).not.toContain('[WARNING]');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
    T,
  );

});

describe('values.schema.json rejects bad values with a message naming the value', () => {
  test.each([
    ['negative replicas', { replicaCount: -1 }, "at '/replicaCount': minimum: got -1, want 0"],
    ['an unknown MongoDB mode (a misspelt subchart)', { mongodbSharded: { enabled: true } }, "additional properties 'mongodbSharded' not allowed"],
    ['two modes on: replica set and sharded', { 'mongodb-sharded': { enabled: true } }, "at '/mongodb-sharded/enabled': value must be false"],
    ['two modes on: replica set and external', { externalMongodb: { uri: 'mongodb://db/' } }, "at '/externalMongodb/uri': value must be ''"],
    ['two modes on: sharded and external', { mongodb: { enabled: false }, 'mongodb-sharded': { enabled: true }, externalMongodb: { uri: 'mongodb://db/' } }, "at '/externalMongodb/uri': value must be ''"],
    ['no mode: both subcharts off and no external MongoDB', { mongodb: { enabled: false } }, "at '/externalMongodb/uri': minLength: got 0, want 1"],
    ['an external URI that is not MongoDB', { mongodb: { enabled: false }, externalMongodb: { uri: 'postgres://db/' } }, "at '/externalMongodb/uri'"],
    ['a standalone MongoDB (no retryable writes)', { mongodb: { architecture: 'standalone' } }, "at '/mongodb/architecture': value must be 'replicaset'"],
    ['a root password that would break the URI', { mongodb: { auth: { rootPassword: 'p@ss/word' } } }, "at '/mongodb/auth/rootPassword'"],
    ['an unknown log level', { config: { logLevel: 'loud' } }, "at '/config/logLevel'"],
    ['the connection string in the ConfigMap settings', { config: { mongodbUri: 'mongodb://db/' } }, "additional properties 'mongodbUri' not allowed"],
    ['a zero-replica HPA', { autoscaling: { minReplicas: 0 } }, "at '/autoscaling/minReplicas': minimum: got 0, want 1"],
    ['a ServiceMonitor interval that is not a duration', { metrics: { serviceMonitor: { interval: 'often' } } }, "at '/metrics/serviceMonitor/interval'"],
  ])(
    '%s',
    (_name, values, message) => {
      const result = chart().template(values);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("values don't meet the specifications of the schema");
      expect(result.stderr).toContain(message);
    },
    T,
  );

  test(
    'without schema validation the templates still refuse two modes, with a clear message',
    () => {
      const both = chart().template({ 'mongodb-sharded': { enabled: true } }, { extra: ['--skip-schema-validation'] });
      expect(both.status).not.toBe(0);
      expect(both.stderr).toContain('MongoDB: enable exactly one mode');
      const none = chart().template({ mongodb: { enabled: false } }, { extra: ['--skip-schema-validation'] });
      expect(none.stderr).toContain('set externalMongodb.uri or externalMongodb.existingSecret.name');
    },
    T,
  );
});

test('the subcharts and Chart.lock are never committed: they come from FAS_SUBCHARTS_DIR or the registry', () => {
  const tracked = spawnSync('git', ['ls-files', 'charts/fas'], { cwd: repoRoot, encoding: 'utf8' });
  expect(tracked.status).toBe(0);
  expect(tracked.stdout.split('\n').filter((file) => file.endsWith('.tgz') || file.endsWith('Chart.lock') || file.startsWith('charts/fas/charts/'))).toEqual([]);
  expect(tracked.stdout).toContain('charts/fas/Chart.yaml');
});
