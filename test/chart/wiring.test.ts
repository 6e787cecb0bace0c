import path from 'node:path';
import { EnvVar, find, K8sObject, isOwn, own, useStagedChart } from './helm';

/**
 * What the fas Deployment refers to, checked against the objects the real bitnami subcharts render: hosts,
 * port, replica set, Secret and root user, in each bundled mode and naming variant.
 */

interface Container {
  name: string;
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    serviceName?: string;
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; volumes?: { name: string; secret?: { secretName: string } }[] };
    };
  };
}
interface Service extends K8sObject {
  spec: { clusterIP?: string; selector: Record<string, string>; ports: { port: number; targetPort?: string | number }[] };
}
interface NetworkPolicy extends K8sObject {
  spec: { podSelector: { matchLabels: Record<string, string> }; ingress: { from?: object[]; ports?: { port: number | string }[] }[] };
}

const T = 60_000;
const chart = useStagedChart();

/** The connection string the fas container gets, split into its parts. */
function connection(objects: K8sObject[]) {
  const fas = find<Workload>(own(objects), 'Deployment').spec.template.spec.containers[0];
  const env = (name: string) => fas.env?.find((e) => e.name === name);
  const uri = env('MONGODB_URI')?.value ?? '';
  const match = /^mongodb:\/\/(?:([^:@]+):\$\(MONGODB_ROOT_PASSWORD\)@)?([^/]+)\/\?(.*)$/.exec(uri);
  if (!match) throw new Error(`unexpected MONGODB_URI ${uri}`);
  const hosts = match[2].split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':');
    return { host, port: Number(port) };
  });
  return { user: match[1], hosts, query: new URLSearchParams(match[3]), secret: env('MONGODB_ROOT_PASSWORD')?.valueFrom?.secretKeyRef };
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const envOf = (container: Container, name: string) => container.env?.find((e) => e.name === name)?.value;
const mongoPort = (container: Container) => container.ports?.find((p) => p.name === 'mongodb')?.containerPort;

/** The Secret and key a database container reads its root password from (a file in a Secret volume). */
function rootPasswordSource(workload: Workload) {
  const container = workload.spec.template.spec.containers[0];
  const file = envOf(container, 'MONGODB_ROOT_PASSWORD_FILE') ?? '';
  const mount = container.volumeMounts?.find((m) => path.posix.dirname(file) === m.mountPath.replace(/\/$/, ''));
  const volume = workload.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
  return { name: volume?.secret?.secretName, key: path.posix.basename(file) };
}

/** Every check that does not depend on the mode: the user, the Secret, the subchart's own NetworkPolicy. */
function expectSameCredentialsAndOpenPort(objects: K8sObject[], databases: Workload[], port: number) {
  const { user, secret, query } = connection(objects);
  expect(query.get('authSource')).toBe('admin');
  for (const db of databases) {
    const container = db.spec.template.spec.containers[0];
    expect(user).toBe(envOf(container, 'MONGODB_ROOT_USER'));
    expect(secret).toEqual(rootPasswordSource(db));
  }
  const rendered = objects.find((o) => o.kind === 'Secret' && o.metadata.name === secret?.name) as
    | (K8sObject & { data: Record<string, string> })
    | undefined;
  if (rendered) expect(Object.keys(rendered.data)).toContain(secret?.key);
  for (const policy of objects.filter((o): o is NetworkPolicy => o.kind === 'NetworkPolicy' && !isOwn(o))) {
    if (!databases.some((db) => selects(policy.spec.podSelector.matchLabels, db.spec.template.metadata.labels))) continue;
    const open = policy.spec.ingress.some((rule) => !rule.from && (!rule.ports || rule.ports.some((p) => p.port === port)));
    expect(open).toBe(true);
  }
}

describe('replica set mode: every host is a member of the StatefulSet behind the headless Service', () => {
  const variants: [string, object, { release?: string; namespace?: string }][] = [
    ['defaults', {}, {}],
    ['a release named after the subchart, in another namespace', {}, { release: 'mongodb-prod', namespace: 'db' }],
    ['the subchart fullnameOverride', { mongodb: { fullnameOverride: 'store' } }, {}],
    ['the subchart nameOverride', { mongodb: { nameOverride: 'db' } }, {}],
    ['fas fullnameOverride and nameOverride', { fullnameOverride: 'flow-api', nameOverride: 'api' }, {}],
    ['a renamed headless Service', { mongodb: { service: { nameOverride: 'mongo' } } }, {}],
    ['one member and another replica set name', { mongodb: { replicaCount: 1, replicaSetName: 'flows' } }, {}],
    ['a global namespaceOverride', { global: { namespaceOverride: 'data' } }, {}],
    ['an existing Secret and another root user', { mongodb: { auth: { existingSecret: 'mongo-creds', rootUser: 'admin' } } }, {}],
    ['a container port apart from the Service port', { mongodb: { containerPorts: { mongodb: 27018 }, service: { ports: { mongodb: 27019 } } } }, {}],
  ];

  test.each(variants)(
    '%s',
    (_name, values, options) => {
      const { objects, stderr } = chart().renderWithWarnings(values, options);
      expect(stderr).toBe('');
      const [sts] = objects.filter((o): o is Workload => o.kind === 'StatefulSet');
      const mongod = sts.spec.template.spec.containers[0];
      const service = find<Service>(objects, 'Service', sts.spec.serviceName);
      expect(service.spec.clusterIP).toBe('None');
      expect(selects(service.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
      const namespace = sts.metadata.namespace ?? options.namespace ?? 'team-a';
      const members = Array.from({ length: sts.spec.replicas ?? 1 }, (_, i) => `${sts.metadata.name}-${i}`);

      const { hosts, query } = connection(objects);
      expect(hosts.map((h) => h.host)).toEqual(members.map((pod) => `${pod}.${service.metadata.name}.${namespace}.svc.cluster.local`));
      for (const { port } of hosts) {
        expect(port).toBe(mongoPort(mongod));
        expect(String(port)).toBe(envOf(mongod, 'MONGODB_PORT_NUMBER'));
      }
      expect(query.get('replicaSet')).toBe(envOf(mongod, 'MONGODB_REPLICA_SET_NAME'));
      expectSameCredentialsAndOpenPort(objects, [sts], hosts[0].port);
    },
    T,
  );
});

describe('sharded mode: the one host is the Service in front of mongos', () => {
  const sharded = (extra: object = {}) => ({ mongodb: { enabled: false }, 'mongodb-sharded': { enabled: true, ...extra } });
  const variants: [string, object, { release?: string; namespace?: string }][] = [
    ['defaults', sharded(), {}],
    ['a release named after the subchart, in another namespace', sharded(), { release: 'mongodb-sharded-prod', namespace: 'db' }],
    ['the subchart fullnameOverride', sharded({ fullnameOverride: 'shards' }), {}],
    ['the subchart nameOverride', sharded({ nameOverride: 'db' }), {}],
    ['fas fullnameOverride and nameOverride', { ...sharded(), fullnameOverride: 'flow-api', nameOverride: 'api' }, {}],
    ['a renamed mongos Service in a namespaceOverride', sharded({ service: { name: 'router' }, namespaceOverride: 'data' }), {}],
    ['an existing Secret and another root user', sharded({ auth: { existingSecret: 'mongo-creds', rootUser: 'admin' } }), {}],
    ['a container port apart from the Service port', sharded({ common: { containerPorts: { mongodb: 27018 } }, service: { ports: { mongodb: 27019 } } }), {}],
  ];

  test.each(variants)(
    '%s',
    (_name, values, options) => {
      const { objects, stderr } = chart().renderWithWarnings(values, options);
      expect(stderr).toBe('');
      const workloads = objects.filter((o): o is Workload => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && !isOwn(o));
      const mongos = workloads.find((w) => w.spec.template.metadata.labels['app.kubernetes.io/component'] === 'mongos');
      if (!mongos) throw new Error('no mongos among the rendered workloads');
      const container = mongos.spec.template.spec.containers[0];

      const { hosts, query } = connection(objects);
      expect(hosts).toHaveLength(1);
      const [{ host, port }] = hosts;
      const [serviceName, namespace, ...domain] = host.split('.');
      expect(domain.join('.')).toBe('svc.cluster.local');
      const service = find<Service>(objects, 'Service', serviceName);
      expect(service.metadata.namespace ?? options.namespace ?? 'team-a').toBe(namespace);
      expect(service.spec.clusterIP).not.toBe('None');
      expect(selects(service.spec.selector, mongos.spec.template.metadata.labels)).toBe(true);
      const servicePort = service.spec.ports.find((p) => p.port === port);
      expect(servicePort?.targetPort).toBe('mongodb');
      expect(mongoPort(container)).toBe(Number(envOf(container, 'MONGODB_PORT_NUMBER')));
      expect(query.has('replicaSet')).toBe(false);
      expectSameCredentialsAndOpenPort(objects, workloads, mongoPort(container) ?? 0);
    },
    T,
  );

  test(
    'the mongos and mongod liveness probes match their own process exactly, never mongosh (pgrep -x)',
    () => {
      const objects = chart().render(sharded());
      const probes = objects
        .filter((o): o is Workload => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && !isOwn(o))
        .map((w) => {
          const container = w.spec.template.spec.containers[0] as Container & { livenessProbe: { exec: { command: string[] } } };
          return [w.spec.template.metadata.labels['app.kubernetes.io/component'], container.livenessProbe.exec.command];
        });
      expect(probes.sort()).toEqual([
        ['configsvr', ['pgrep', '-x', 'mongod']],
        ['mongos', ['pgrep', '-x', 'mongos']],
        ['shardsvr', ['pgrep', '-x', 'mongod']],
        ['shardsvr', ['pgrep', '-x', 'mongod']],
      ]);
    },
    T,
  );
});
