import type { K8sObject } from './helm';

interface Model {
  validate(): void;
}
type ModelClass = new (data: object) => Model;

/** kubernetes-models lays its classes out by API group and version: apps/v1 → kubernetes-models/apps/v1. */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const models = require(`kubernetes-models/${apiVersion}`) as Record<string, ModelClass | undefined>;
  return models[kind];
}

// Custom resources kubernetes-models has no schema for; the tests assert on their fields instead.
const CUSTOM_RESOURCE_GROUPS = ['monitoring.coreos.com/'];

/** Problems found validating each object against its OpenAPI schema; empty when all are valid. */
export function validateObjects(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (CUSTOM_RESOURCE_GROUPS.some((group) => object.apiVersion.startsWith(group))) continue;
    const where = `${object.apiVersion} ${object.kind}/${object.metadata?.name}`;
    let Model: ModelClass | undefined;
    try {
      Model = modelFor(object.apiVersion, object.kind);
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${where}: no schema for this apiVersion and kind`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  return problems;
}
