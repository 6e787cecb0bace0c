import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startService } from '../support/service';
import { EnvVar, find, K8sObject, kinds, own, useStagedChart } from './helm';
import { validateObjects } from './kubernetesSchemas';

interface Container {
  name: string;
  image: string;
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string }; periodSeconds: number };
  readinessProbe: { httpGet: { path: string; port: string }; periodSeconds: number };
  resources: { requests: { cpu: string; memory: string }; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  lifecycle?: { preStop: { exec: { command: string[] } } };
  volumeMounts: { name: string; mountPath: string }[];
  args?: string[];
}
interface PodSpec {
  containers: Container[];
  securityContext: Record<string, unknown>;
  terminationGracePeriodSeconds: number;
  serviceAccountName: string;
  volumes: { name: string; configMap?: { name: string }; emptyDir?: object }[];
}
interface Deployment extends K8sObject {
  spec: { replicas?: number; template: { metadata: { annotations: Record<string, string> }; spec: PodSpec } };
}
interface Hpa extends K8sObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { resource: { name: string; target: { averageUtilization: number } } }[];
    behavior: { scaleDown: { stabilizationWindowSeconds: number } };
  };
}
interface ConfigMap extends K8sObject {
  data: Record<string, string>;
}

const T = 60_000;
const chart = useStagedChart((staged) => staged.withNotesProbe());

const deployment = (objects: K8sObject[]) => find<Deployment>(own(objects), 'Deployment');
const container = (objects: K8sObject[]) => deployment(objects).spec.template.spec.containers[0];
const env = (objects: K8sObject[], name: string) => container(objects).env.find((e) => e.name === name);
const appConfig = (objects: K8sObject[]) =>
  parse(find<ConfigMap>(objects, 'ConfigMap', 'flows-fas').data['config.yaml']) as Record<string, unknown>;

const sharded = { mongodb: { enabled: false }, 'mongodb-sharded': { enabled: true } };
const externalUri = { mongodb: { enabled: false }, externalMongodb: { uri: 'mongodb+srv://fas:s3cret@cluster0.example.net/' } };

describe('default mode: bitnami mongodb replica set', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = chart().render();
  }, T);

  test('renders the expected objects and no Secret of its own (the subchart owns the credentials)', () => {
    expect(kinds(own(objects))).toEqual([
      'ConfigMap/flows-fas',
      'Deployment/flows-fas',
      'HorizontalPodAutoscaler/flows-fas',
      'Pod/flows-fas-test-flow-roundtrip',
      'PodDisruptionBudget/flows-fas',
      'Service/flows-fas',
      'Service/flows-fas-members',
      'ServiceAccount/flows-fas',
    ]);
  });

  test('connects to every member of the replica set by the subchart naming, with the root password from its Secret', () => {
    expect(env(objects, 'MONGODB_ROOT_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'flows-mongodb',
      key: 'mongodb-root-password',
    });
    const hosts = [0, 1, 2].map((i) => `flows-mongodb-${i}.flows-mongodb-headless.team-a.svc.cluster.local:27017`);
    expect(env(objects, 'MONGODB_URI')?.value).toBe(
      `mongodb://root:$(MONGODB_ROOT_PASSWORD)@${hosts.join(',')}/?replicaSet=rs0&authSource=admin`,
    );
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    const names = container(objects).env.map((e) => e.name);
    expect(names.indexOf('MONGODB_ROOT_PASSWORD')).toBeLessThan(names.indexOf('MONGODB_URI'));
  });

  test('probes: liveness on /healthz, readiness on /readyz, through the named port', () => {
    const c = container(objects);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 9527, protocol: 'TCP' },
      { name: 'hop', containerPort: 9528, protocol: 'TCP' },
    ]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.readinessProbe.periodSeconds).toBeLessThan(c.livenessProbe.periodSeconds);
  });

  test('HPA (autoscaling/v2) scales the Deployment on CPU with a slow scale-down, and the Deployment leaves replicas to it', () => {
    const hpa = find<Hpa>(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'flows-fas' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70]]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(deployment(objects).spec).not.toHaveProperty('replicas');
    expect(container(objects).resources.requests.cpu).toBe('100m');
  });

  test('pod and container run non-root with a read-only root, no privilege escalation, no capabilities', () => {
    const pod = deployment(objects).spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(objects).securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(objects).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test('the grace period covers the shutdown delay and drain timeout, with no preStop needed', () => {
    const pod = deployment(objects).spec.template.spec;
    const config = appConfig(objects);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      (config.shutdownDelayMs as number) + (config.shutdownTimeoutMs as number),
    );
    expect(container(objects).lifecycle).toBeUndefined();
  });

  test('settings reach the app as config.yaml through CONFIG_FILE, without the connection string', () => {
    expect(env(objects, 'CONFIG_FILE')?.value).toBe('/etc/fas/config.yaml');
    expect(container(objects).volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/fas', readOnly: true });
    const config = appConfig(objects);
    expect(config).toMatchObject({ port: 9527, mongodbWriteConcern: 'majority', mongodbShardCollection: false });
    expect(config).not.toHaveProperty('mongodbUri');
  });

  test('NOTES print the port-forward and curl commands for this release', () => {
    const notes = find<ConfigMap>(objects, 'ConfigMap', 'notes-probe').data.notes;
    expect(notes).toContain('kubectl --namespace team-a port-forward service/flows-fas 9527:9527');
    expect(notes).toContain("curl -s 'localhost:9527/flows?hour=1'");
    expect(notes).toContain(
      `curl -s -X POST localhost:9527/flows -H 'Content-Type: application/json' -d '[{"src_app":"foo","dest_app":"bar","vpc_id":"vpc-0","bytes_tx":100,"bytes_rx":500,"hour":1}]'`,
    );
    expect(notes).toContain('helm test flows --namespace team-a');
  });

  test('the helm test pod posts twice through the Service and expects the summed row', () => {
    const pod = find<K8sObject & { spec: { containers: Container[] } }>(objects, 'Pod');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const script = pod.spec.containers[0].args?.[0] ?? '';
    expect(script).toContain('base="http://flows-fas:9527"');
    expect(script).toContain('post 100 500');
    expect(script).toContain('post 200 1000');
    expect(script).toContain('\\"hour\\":$hour,\\"bytes_tx\\":300,\\"bytes_rx\\":1500}');
  });

  test('the helm test pod passes against a service that keeps only the last day', async () => {
    const service = await startService({ retentionHours: 24 });
    try {
      const pod = find<K8sObject & { spec: { containers: Container[] } }>(chart().render({ config: { retentionHours: 24 } }), 'Pod');
      const script = (pod.spec.containers[0].args?.[0] ?? '').replace('http://flows-fas:9527', service.url);
      // Asynchronously: the service answers from this process's event loop.
      const { stdout, stderr } = await promisify(execFile)('/bin/sh', ['-ec', script], { timeout: 30_000 });
      expect([stdout, stderr]).toEqual([expect.stringContaining('ok: '), '']);
    } finally {
      await service.stop();
    }
  }, 60_000);

  test('NOTES post to the current hour when retention would refuse hour 1', () => {
    const notes = find<ConfigMap>(chart().render({ config: { retentionHours: 24 } }), 'ConfigMap', 'notes-probe').data.notes;
    expect(notes).toContain('h=$(( $(date +%s) / 3600 ))');
    expect(notes).toContain(`"hour":'"$h"'}]'`);
    expect(notes).not.toContain('"hour":1');
  });
});

// test/chart/wiring.test.ts checks the connection string against the subcharts' own objects in every variant.
describe('connection string without authentication', () => {
  test(
    'auth disabled in the subchart means no credentials in the URI',
    () => {
      const open = chart().render({ mongodb: { auth: { enabled: false } } });
      expect(env(open, 'MONGODB_ROOT_PASSWORD')).toBeUndefined();
      expect(env(open, 'MONGODB_URI')?.value).toMatch(/^mongodb:\/\/flows-mongodb-0\./);
    },
    T,
  );
});

describe('sharded mode: bitnami mongodb-sharded through mongos', () => {
  test(
    'connects to the mongos Service with the root password and has the app shard its collection',
    () => {
      const objects = chart().render(sharded);
      expect(env(objects, 'MONGODB_ROOT_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'flows-mongodb-sharded',
        key: 'mongodb-root-password',
      });
      expect(env(objects, 'MONGODB_URI')?.value).toBe(
        'mongodb://root:$(MONGODB_ROOT_PASSWORD)@flows-mongodb-sharded.team-a.svc.cluster.local:27017/?authSource=admin',
      );
      expect(appConfig(objects).mongodbShardCollection).toBe(true);
      expect(own(objects).some((o) => o.kind === 'Secret')).toBe(false);
    },
    T,
  );
});

describe('external mode', () => {
  test(
    'externalMongodb.uri goes into a Secret of the chart that MONGODB_URI reads, and a change rolls the pods',
    () => {
      const objects = chart().render(externalUri);
      const secret = find<K8sObject & { data: Record<string, string> }>(objects, 'Secret', 'flows-fas');
      expect(Buffer.from(secret.data['mongodb-uri'], 'base64').toString()).toBe(externalUri.externalMongodb.uri);
      expect(env(objects, 'MONGODB_URI')?.valueFrom?.secretKeyRef).toEqual({ name: 'flows-fas', key: 'mongodb-uri' });
      expect(env(objects, 'MONGODB_ROOT_PASSWORD')).toBeUndefined();
      const other = chart().render({ ...externalUri, externalMongodb: { uri: 'mongodb://db.internal:27017/' } });
      const annotations = (o: K8sObject[]) => deployment(o).spec.template.metadata.annotations;
      expect(annotations(objects)['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
      expect(annotations(other)['checksum/secret']).not.toBe(annotations(objects)['checksum/secret']);
      expect(annotations(other)['checksum/config']).toBe(annotations(objects)['checksum/config']);
    },
    T,
  );

  test(
    'externalMongodb.existingSecret is read as is, and no Secret is rendered',
    () => {
      const objects = chart().render({
        mongodb: { enabled: false },
        externalMongodb: { existingSecret: { name: 'atlas', key: 'connectionString' } },
      });
      expect(env(objects, 'MONGODB_URI')?.valueFrom?.secretKeyRef).toEqual({ name: 'atlas', key: 'connectionString' });
      expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    },
    T,
  );
});

describe('custom values', () => {
  test(
    'HPA off: no HPA, and the Deployment sets replicaCount',
    () => {
      const objects = chart().render({ autoscaling: { enabled: false }, replicaCount: 4 });
      expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
      expect(deployment(objects).spec.replicas).toBe(4);
    },
    T,
  );

  test(
    'a memory target adds a second HPA metric',
    () => {
      const hpa = find<Hpa>(chart().render({ autoscaling: { targetMemoryUtilizationPercentage: 80 } }), 'HorizontalPodAutoscaler');
      expect(hpa.spec.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
        ['cpu', 70],
        ['memory', 80],
      ]);
    },
    T,
  );

  test(
    'checksum/config changes with the settings, so pods roll, and stays put otherwise',
    () => {
      const checksum = (values: object) =>
        deployment(chart().render(values)).spec.template.metadata.annotations['checksum/config'];
      const base = checksum({});
      expect(base).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum({ config: { logLevel: 'debug' } })).not.toBe(base);
      expect(checksum({ replicaCount: 7, autoscaling: { enabled: false } })).toBe(base);
    },
    T,
  );

  test(
    'longer shutdown settings and a preStop sleep lengthen the grace period; a too-short explicit one is refused',
    () => {
      const objects = chart().render({ config: { shutdownDelayMs: 10_000, shutdownTimeoutMs: 45_500 }, preStopSleepSeconds: 3 });
      const pod = deployment(objects).spec.template.spec;
      expect(pod.terminationGracePeriodSeconds).toBe(3 + 56 + 5);
      expect(pod.containers[0].lifecycle?.preStop.exec.command).toEqual(['sleep', '3']);
      expect(deployment(chart().render({ terminationGracePeriodSeconds: 60 })).spec.template.spec.terminationGracePeriodSeconds).toBe(60);
      const refused = chart().template({ terminationGracePeriodSeconds: 25 });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('terminationGracePeriodSeconds (25) must exceed');
    },
    T,
  );

  test(
    'image digest, no ServiceAccount, a NetworkPolicy limited to chosen peers plus the test pod, no PDB',
    () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const objects = chart().render({
        image: { repository: 'registry.example/fas', digest },
        serviceAccount: { create: false },
        podDisruptionBudget: { enabled: false },
        networkPolicy: { enabled: true, ingressFrom: [{ namespaceSelector: { matchLabels: { team: 'net' } } }] },
      });
      expect(container(objects).image).toBe(`registry.example/fas@${digest}`);
      expect(own(objects).some((o) => o.kind === 'ServiceAccount' || o.kind === 'PodDisruptionBudget')).toBe(false);
      expect(deployment(objects).spec.template.spec.serviceAccountName).toBe('default');
      const policy = find<K8sObject & { spec: { ingress: { from: object[] }[]; egress: { ports: { port: number }[] }[] } }>(
        own(objects),
        'NetworkPolicy',
      );
      expect(policy.spec.ingress[0].from).toEqual([
        { podSelector: { matchLabels: { 'flows-fas-client': 'true' } } },
        { namespaceSelector: { matchLabels: { team: 'net' } } },
      ]);
      // The members' own port to the other members, DNS, MongoDB.
      expect(policy.spec.egress.flatMap((rule) => rule.ports.map((p) => p.port))).toEqual([9528, 53, 53, 27017]);
      const testPod = find(objects, 'Pod');
      expect(testPod.metadata.labels?.['flows-fas-client']).toBe('true');
    },
    T,
  );
});

describe('metrics', () => {
  interface ServiceMonitor extends K8sObject {
    spec: {
      selector: { matchLabels: Record<string, string>; matchExpressions?: unknown[] };
      namespaceSelector: { matchNames: string[] };
      endpoints: { port: string; path: string; interval: string }[];
    };
  }

  test(
    'pods carry the prometheus.io scrape annotations by default, and none when turned off',
    () => {
      const annotations = (values: object) => deployment(chart().render(values)).spec.template.metadata.annotations;
      expect(annotations({})).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9527',
        'prometheus.io/path': '/metrics',
      });
      expect(annotations({ config: { port: 8080 } })['prometheus.io/port']).toBe('8080');
      expect(Object.keys(annotations({ metrics: { scrapeAnnotations: false } })).filter((k) => k.startsWith('prometheus.io/'))).toEqual([]);
    },
    T,
  );

  test(
    'no ServiceMonitor by default; when enabled it scrapes the Service http port at /metrics with the chosen interval and labels',
    () => {
      expect(chart().render().some((o) => o.kind === 'ServiceMonitor')).toBe(false);
      const objects = chart().render({
        metrics: { serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'kube-prometheus' } } },
      });
      const monitor = find<ServiceMonitor>(objects, 'ServiceMonitor');
      expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
      expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
      expect(monitor.spec.namespaceSelector.matchNames).toEqual(['team-a']);
      const service = find<K8sObject & { spec: { selector: Record<string, string>; ports: { name: string }[] } }>(own(objects), 'Service', 'flows-fas');
      expect(monitor.spec.selector.matchLabels).toEqual(service.spec.selector);
      // The members' headless Service has no metrics port: the monitor leaves it out.
      const members = find<K8sObject>(own(objects), 'Service', 'flows-fas-members');
      expect(members.metadata.labels?.['app.kubernetes.io/component']).toBe('members');
      expect(monitor.spec.selector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/component', operator: 'NotIn', values: ['members'] }]);
      expect(service.spec.ports.map((p) => p.name)).toContain('http');
    },
    T,
  );
});

describe('every rendered object is valid against the Kubernetes API schemas', () => {
  const variants: [string, object][] = [
    ['default', {}],
    ['sharded', sharded],
    ['external uri', externalUri],
    ['HPA off', { autoscaling: { enabled: false } }],
    [
      'everything optional on',
      {
        autoscaling: { targetMemoryUtilizationPercentage: 75 },
        networkPolicy: { enabled: true, ingressFrom: [{ podSelector: { matchLabels: { role: 'collector' } } }] },
        preStopSleepSeconds: 2,
        podAnnotations: { 'example.com/team': 'flows' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'flows', effect: 'NoSchedule' }],
        imagePullSecrets: ['regcred'],
        service: { type: 'NodePort', annotations: { 'example.com/lb': 'internal' } },
        metrics: { serviceMonitor: { enabled: true }, grafanaDashboard: { enabled: true } },
      },
    ],
  ];
  test.each(variants)(
    '%s',
    (_name, values) => {
      const objects = chart().render(values).filter((o) => o.metadata.name !== 'notes-probe');
      expect(objects.length).toBeGreaterThanOrEqual(6);
      expect(validateObjects(objects)).toEqual([]);
    },
    T,
  );

  test('the validator does catch a broken object', () => {
    const objects = chart().render({ autoscaling: { enabled: false } });
    const broken = structuredClone(deployment(objects));
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(validateObjects([broken]).join('\n')).toContain('replicas');
  }, T);
});
