import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { useStagedChart } from './helm';
import { repoRoot, sharedDir, sharedDirCandidates } from './paths';

interface HelmRelease {
  name: string;
  chartPath: string;
  valuesFiles: string[];
  setValueTemplates: Record<string, string>;
}
interface SkaffoldConfig {
  apiVersion: string;
  build: { local: { push: boolean }; artifacts: { image: string; docker: { dockerfile: string } }[] };
  deploy: { kubeContext: string; helm: { releases: HelmRelease[] } };
  portForward: { resourceType: string; resourceName: string; port: number; localPort: number }[];
  profiles: { name: string; patches: { op: string; path: string; value: string }[] }[];
}

function schemaDir(): string {
  const shared = sharedDir();
  if (!shared) throw new Error(`no shared material at ${sharedDirCandidates().join(' or ')}: set FAS_SHARED_DIR`);
  return path.join(shared, 'schemas');
}

const schemaPath = path.join(schemaDir(), 'skaffold-v4beta14.json');
const config = parse(readFileSync(path.join(repoRoot, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;

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

describe('each skaffold profile deploys values the chart accepts', () => {
  const chart = useStagedChart();

  test.each(['(none)', 'sharded', 'external'])(
    'profile %s',
    (profile) => {
      const [release] = config.deploy.helm.releases;
      const files = [...release.valuesFiles];
      const sets: string[] = ['image.repository=fas', 'image.tag=dev'];
      for (const patch of config.profiles.find((p) => p.name === profile)?.patches ?? []) {
        if (patch.path.endsWith('/valuesFiles/-')) files.push(patch.value);
        else if (patch.path.includes('/setValueTemplates/')) {
          // FAS_MONGODB_URI as a user would export it.
          sets.push(`${patch.path.split('/setValueTemplates/')[1]}=mongodb+srv://u:p@cluster0.example.net/`);
        } else throw new Error(`unexpected patch ${patch.path}`);
      }
      if (profile !== '(none)') expect(files.length).toBeGreaterThan(release.valuesFiles.length);
      const args = ['template', release.name, chart().dir, ...files.flatMap((f) => ['--values', path.join(repoRoot, f)])];
      const result = chart().helm([...args, ...sets.flatMap((s) => ['--set', s])]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
    60_000,
  );
});
