import { applyPatch, Operation } from 'fast-json-patch';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { K8sObject, StagedChart } from './helm';
import { repoRoot } from './paths';

export interface HelmRelease {
  name: string;
  chartPath: string;
  namespace: string;
  wait: boolean;
  valuesFiles: string[];
  setValueTemplates: Record<string, string>;
}
export interface SkaffoldConfig {
  apiVersion: string;
  build: { local: { push: boolean }; artifacts: { image: string; docker: { dockerfile: string } }[] };
  manifests?: { rawYaml: string[] };
  deploy: { kubeContext: string; helm: { flags: Record<string, string[]>; releases: HelmRelease[] }; kubectl?: object };
  portForward: { resourceType: string; resourceName: string; port: number; localPort: number }[];
  profiles: { name: string; patches: Operation[] }[];
}

export const skaffoldConfig = parse(readFileSync(path.join(repoRoot, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;

/** skaffold.yaml as skaffold sees it with `-p PROFILE` ('(none)' for no profile): the profile's JSON patches applied. */
export function withProfile(profile: string): SkaffoldConfig {
  const patches = skaffoldConfig.profiles.find((p) => p.name === profile)?.patches ?? [];
  return applyPatch(structuredClone(skaffoldConfig), patches, true, false).newDocument;
}

/**
 * Every object `skaffold dev -p PROFILE` deploys: the release rendered with its values files and value
 * templates (FAS_MONGODB_URI and the built image filled in as a user's run would), plus the kubectl manifests.
 */
export function deployedObjects(chart: StagedChart, profile: string): { objects: K8sObject[]; stderr: string } {
  const config = withProfile(profile);
  const [release] = config.deploy.helm.releases;
  const filled: Record<string, string> = {
    '{{.IMAGE_REPO_fas}}': 'fas',
    '{{.IMAGE_TAG_fas}}': 'dev',
    '{{.FAS_MONGODB_URI}}': 'mongodb+srv://u:p@cluster0.example.net/',
  };
  const sets = Object.entries(release.setValueTemplates).map(([key, template]) => `${key}=${filled[template] ?? template}`);
  const result = chart.helm([
    'template',
    release.name,
    chart.dir,
    '--namespace',
    release.namespace,
    ...release.valuesFiles.flatMap((file) => ['--values', path.join(repoRoot, file)]),
    ...sets.flatMap((set) => ['--set', set]),
  ]);
  if (result.status !== 0) throw new Error(`helm template failed for profile ${profile}: ${result.stderr}`);
  const manifests = (config.manifests?.rawYaml ?? []).map((file) => readFileSync(path.join(repoRoot, file), 'utf8'));
  const objects = [result.stdout, ...manifests]
    .flatMap((text) => parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject | null))
    .filter((o): o is K8sObject => o !== null);
  return { objects, stderr: result.stderr };
}
