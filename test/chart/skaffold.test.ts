import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { useStagedChart } from './helm';
import { validateObjects } from './kubernetesSchemas';
import { repoRoot, sharedDir, sharedDirCandidates } from './paths';
import { deployedObjects, skaffoldConfig, withProfile } from './skaffold';

function schemaDir(): string {
  const shared = sharedDir();
  if (!shared) throw new Error(`no shared material at ${sharedDirCandidates().join(' or ')}: set FAS_SHARED_DIR`);
  return path.join(shared, 'schemas');
}

const schemaPath = path.join(schemaDir(), 'skaffold-v4beta14.json');
const config = skaffoldConfig;

function validator() {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $schema: string };
  // The file declares draft-07, which is Ajv's default dialect; skaffold's x-intellij-* keys are annotations.
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

test('skaffold.yaml is valid against the skaffold v4beta14 schema', () => {
  const validate = validator();
  expect(validate(config) ? [] : validate.errors).toEqual([]);
  expect(config.apiVersion).toBe('skaffold/v4beta14');
});

test.each(skaffoldConfig.profiles.map((p) => p.name))('with profile %s applied it is still valid', (profile) => {
  const validate = validator();
  expect(validate(withProfile(profile)) ? [] : validate.errors).toEqual([]);
});

test('the schema check catches a wrong field', () => {
  const validate = validator();
  const broken = structuredClone(config) as unknown as { portForward: { port: unknown }[] };
  broken.portForward[0].port = { not: 'a port' };
  expect(validate(broken)).toBe(false);
});

test('builds with the local Docker without pushing, deploys charts/fas with the built image, forwards 9527', () => {
  expect(config.build.local.push).toBe(false);
  expect(config.build.artifacts).toEqual([{ image: 'fas', docker: { dockerfile: 'Dockerfile' } }]);
  expect(config.deploy.kubeContext).toBe('kind-fas');
  const [release] = config.deploy.helm.releases;
  expect(release.chartPath).toBe('charts/fas');
  expect(release.setValueTemplates).toEqual({ 'image.repository': '{{.IMAGE_REPO_fas}}', 'image.tag': '{{.IMAGE_TAG_fas}}' });
  // The forwarded Service is the chart's fullname for this release.
  expect(config.portForward).toEqual([
    { resourceType: 'service', resourceName: release.name, namespace: 'default', port: 9527, localPort: 9527 },
  ]);
  const kind = parse(readFileSync(path.join(repoRoot, 'k8s/kind-config.yaml'), 'utf8')) as { name: string };
  expect(`kind-${kind.name}`).toBe(config.deploy.kubeContext);
});

describe('each skaffold profile deploys values the chart accepts, with no warning', () => {
  const chart = useStagedChart();

  test.each(['(none)', 'sharded', 'external', 'light'])(
    'profile %s',
    (profile) => {
      const { objects, stderr } = deployedObjects(chart(), profile);
      expect(stderr).toBe('');
      expect(validateObjects(objects)).toEqual([]);
      if (profile !== '(none)') expect(withProfile(profile)).not.toEqual(config);
    },
    60_000,
  );
});

test('helm waits long enough for a cold sharded start (its own default is 5 minutes)', () => {
  expect(config.deploy.helm.flags).toEqual({ install: ['--timeout', '15m'], upgrade: ['--timeout', '15m'] });
  expect(config.deploy.helm.releases[0].wait).toBe(true);
});
