import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { K8sObject, isOwn, useStagedChart } from './helm';
import { chartDir, repoRoot } from './paths';
import { dependencies } from './subcharts';

/** What FAS passes to the real subcharts: keys they know, and images they were made for. */

const T = 60_000;
const chart = useStagedChart();

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The subchart's own file, read from its archive by helm (`helm show values|chart`). */
function subchartFile(name: string, what: 'values' | 'chart'): Tree {
  const dep = dependencies().find((d) => d.name === name);
  const archive = path.join(chart().dir, 'charts', `${dep?.name}-${dep?.version}.tgz`);
  const result = chart().helm(['show', what, archive]);
  if (result.status !== 0) throw new Error(result.stderr);
  return parse(result.stdout) as Tree;
}

/**
 * Dotted paths of the keys `ours` sets that `theirs` does not have. An empty map in theirs (podAnnotations: {},
 * resources: {}) is free-form: anything below it is accepted.
 */
function unknownKeys(ours: Tree, theirs: Tree, prefix = ''): string[] {
  return Object.entries(ours).flatMap(([key, value]) => {
    const where = `${prefix}${key}`;
    if (!(key in theirs)) return [where];
    const known = theirs[key];
    if (isTree(value) && isTree(known) && Object.keys(known).length > 0) return unknownKeys(value, known, `${where}.`);
    return [];
  });
}

const valuesFiles = [
  path.join(chartDir, 'values.yaml'),
  ...readdirSync(path.join(chartDir, 'ci')).map((file) => path.join(chartDir, 'ci', file)),
  ...readdirSync(path.join(repoRoot, 'k8s'))
    .filter((file) => file.startsWith('values-'))
    .map((file) => path.join(repoRoot, 'k8s', file)),
];

describe('every key FAS sets inside a subchart exists in that subchart (helm would ignore a misspelt one)', () => {
  test.each(['mongodb', 'mongodb-sharded'])(
    '%s',
    (name) => {
      const theirs = subchartFile(name, 'values');
      for (const file of valuesFiles) {
        // `enabled` is no subchart value: it is the condition in Chart.yaml.
        const { enabled: _condition, ...ours } = ((parse(readFileSync(file, 'utf8')) as Tree)[name] ?? {}) as Tree;
        if (isTree(ours)) expect([path.relative(repoRoot, file), unknownKeys(ours, theirs)]).toEqual([path.relative(repoRoot, file), []]);
      }
    },
    T,
  );

  test('the check catches a misspelt key', () => {
    expect(unknownKeys({ auth: { rootPasword: 'x' }, podAnnotations: { a: 'b' } }, { auth: { rootPassword: '' }, podAnnotations: {} })).toEqual([
      'auth.rootPasword',
    ]);
  });
});

/** Every image of the release with each optional container of the subcharts turned on. */
function images(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => !isOwn(o))
    .flatMap((o) => {
      const pod = (o as { spec?: { template?: { spec?: object } } }).spec?.template?.spec as
        | { containers: { image: string }[]; initContainers?: { image: string }[] }
        | undefined;
      return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.image) : [];
    });
}

describe('every subchart container runs a bitnamilegacy image with the tag the subchart was made for', () => {
  const everything = {
    mongodb: {
      tls: { enabled: true },
      metrics: { enabled: true },
      volumePermissions: { enabled: true },
      externalAccess: {
        enabled: true,
        autoDiscovery: { enabled: true },
        service: { type: 'LoadBalancer', publicNames: ['db-0.example', 'db-1.example', 'db-2.example'] },
      },
      rbac: { create: true },
      automountServiceAccountToken: true,
    },
  };
  const everythingSharded = {
    mongodb: { enabled: false },
    'mongodb-sharded': { enabled: true, metrics: { enabled: true }, volumePermissions: { enabled: true } },
  };

  test.each([
    ['mongodb', everything, ['mongodb', 'nginx', 'kubectl', 'os-shell', 'mongodb-exporter']],
    ['mongodb-sharded', everythingSharded, ['mongodb-sharded', 'os-shell', 'mongodb-exporter']],
  ] as [string, object, string[]][])(
    '%s',
    (name, values, expected) => {
      const annotated = String((subchartFile(name, 'chart').annotations as Tree).images);
      const own = (parse(annotated) as { image: string }[]).map((entry) => entry.image);
      const used = [...new Set(images(chart().render(values)))].sort();
      expect(used.map((image) => image.split('/').pop()?.split(':')[0]).sort()).toEqual([...expected].sort());
      for (const image of used) {
        expect([image, own]).toEqual([image, expect.arrayContaining([image.replace('/bitnamilegacy/', '/bitnami/')])]);
        expect(image).toMatch(/^docker\.io\/bitnamilegacy\//);
      }
    },
    T,
  );
});

/** Paths of the image blocks (registry, repository, tag) in a values tree. */
function imageRoots(tree: Tree, prefix = ''): string[] {
  if ('repository' in tree && 'tag' in tree) return [prefix.slice(0, -1)];
  return Object.entries(tree).flatMap(([key, value]) => (isTree(value) ? imageRoots(value, `${prefix}${key}.`) : []));
}

const at = (tree: Tree, dotted: string) => dotted.split('.').reduce<unknown>((node, key) => (isTree(node) ? node[key] : undefined), tree) as Tree;

test.each(['mongodb', 'mongodb-sharded'])(
  "values.yaml moves every image of %s to bitnamilegacy at the subchart's own tag, rendered or not",
  (name) => {
    const theirs = subchartFile(name, 'values');
    const ours = (parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Tree)[name] as Tree;
    const roots = imageRoots(theirs);
    expect(roots.length).toBeGreaterThanOrEqual(3);
    for (const root of roots) {
      const image = (tree: Tree) => `${at(tree, root)?.registry}/${at(tree, root)?.repository}:${at(tree, root)?.tag}`;
      expect([root, image(ours)]).toEqual([root, image(theirs).replace('/bitnami/', '/bitnamilegacy/')]);
    }
  },
  T,
);

describe('global.security.allowInsecureImages (bitnami common 2.31.4)', () => {
  test(
    'the bitnamilegacy images only warn without it; an image from another registry fails without it',
    () => {
      const legacyOnly = chart().template({ global: { security: { allowInsecureImages: false } } });
      expect(legacyOnly.status).toBe(0);
      const mirrored = { mongodb: { image: { registry: 'registry.example' } } };
      const refused = chart().template({ ...mirrored, global: { security: { allowInsecureImages: false } } });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain("setting the global parameter 'global.security.allowInsecureImages' to true");
      expect(chart().template(mirrored).status).toBe(0);
    },
    T,
  );
});
