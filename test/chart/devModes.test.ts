import { find, K8sObject, isOwn, own, useStagedChart } from './helm';
import { deployedObjects } from './skaffold';

/** What `skaffold dev` deploys on a laptop, per profile: its size, its volumes, the light profile's wiring. */

interface Resources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  resources?: Resources;
  readinessProbe?: { exec?: { command: string[] } };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}
interface StatefulSet extends K8sObject {
  spec: {
    replicas?: number;
    serviceName: string;
    volumeClaimTemplates?: object[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    template: { spec: PodSpec };
  };
}

const T = 60_000;
const chart = useStagedChart();

/**
 * kind's own control plane requests 950m CPU and 290Mi (kube-apiserver 250m, controller-manager 200m,
 * scheduler 100m, etcd 100m/100Mi, two CoreDNS 100m/70Mi, kindnet 100m/50Mi, as kubeadm and kind set them), and
 * uses about 1 GiB. Budgets: requests, with kind's, within three quarters of the VM (the rest is the OS, Docker
 * and the kubelet's reserve); memory limits, with kind's use, within the whole VM.
 */
const KIND_REQUESTS = { cpu: 0.95, memoryMi: 290 };
const KIND_MEMORY_USE_MI = 1024;
const LAPTOP = { cpu: 2, memoryMi: 4096 };
const BIG_LAPTOP = { cpu: 4, memoryMi: 8192 };

const cpu = (quantity = '0') => (quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity));
function mebibytes(quantity = '0'): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  const unit: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };
  return Number(match[1]) * (match[2] ? unit[match[2]] : 1 / 1024 ** 2);
}

/** Requests and memory limits of every pod deployed, as the scheduler counts a pod: max(init, sum of containers). */
function footprint(objects: K8sObject[]) {
  const total = { cpu: 0, memoryMi: 0, memoryLimitMi: 0 };
  for (const o of objects) {
    const spec = o as { spec?: PodSpec & { replicas?: number; template?: { spec: PodSpec } } };
    const pod = o.kind === 'Pod' ? spec.spec : spec.spec?.template?.spec;
    if (!pod) continue;
    const count = o.kind === 'Pod' ? 1 : (spec.spec?.replicas ?? 1);
    const per = (pick: (r: Resources) => number) =>
      Math.max(
        pod.containers.reduce((sum, c) => sum + pick(c.resources ?? {}), 0),
        ...(pod.initContainers ?? []).map((c) => pick(c.resources ?? {})),
      );
    total.cpu += count * per((r) => cpu(r.requests?.cpu));
    total.memoryMi += count * per((r) => mebibytes(r.requests?.memory));
    total.memoryLimitMi += count * per((r) => mebibytes(r.limits?.memory));
  }
  return total;
}

describe('each dev mode fits the laptop docs/kubernetes.md names for it, beside kind', () => {
  test.each([
    ['(none)', LAPTOP],
    ['light', LAPTOP],
    ['sharded', BIG_LAPTOP],
  ])(
    'profile %s',
    (profile, machine) => {
      const used = footprint(deployedObjects(chart(), profile).objects);
      expect(used.cpu + KIND_REQUESTS.cpu).toBeLessThanOrEqual(0.75 * machine.cpu);
      expect(used.memoryMi + KIND_REQUESTS.memoryMi).toBeLessThanOrEqual(0.75 * machine.memoryMi);
      expect(used.memoryLimitMi + KIND_MEMORY_USE_MI).toBeLessThanOrEqual(machine.memoryMi);
    },
    T,
  );

  test('the sum counts every container, replica and init container', () => {
    const pod = (cpuRequest: string, init: string) => ({
      containers: [{ resources: { requests: { cpu: cpuRequest, memory: '100Mi' }, limits: { memory: '1Gi' } } }],
      initContainers: [{ resources: { requests: { cpu: init } } }],
    });
    const objects = [
      { kind: 'StatefulSet', metadata: { name: 'a' }, spec: { replicas: 3, template: { spec: pod('250m', '100m') } } },
      { kind: 'Pod', metadata: { name: 'b' }, spec: pod('10m', '1') },
    ] as unknown as K8sObject[];
    expect(footprint(objects)).toEqual({ cpu: 1.75, memoryMi: 400, memoryLimitMi: 4096 });
  });
});

test.each(['(none)', 'sharded', 'light'])(
  'profile %s: every database volume is deleted with the release, so the next skaffold dev starts afresh',
  (profile) => {
    const sets = deployedObjects(chart(), profile).objects.filter((o): o is StatefulSet => o.kind === 'StatefulSet');
    expect(sets.length).toBeGreaterThan(0);
    for (const sts of sets) {
      expect(sts.spec.volumeClaimTemplates?.length).toBeGreaterThan(0);
      expect([sts.metadata.name, sts.spec.persistentVolumeClaimRetentionPolicy]).toEqual([
        sts.metadata.name,
        { whenDeleted: 'Delete', whenScaled: 'Delete' },
      ]);
    }
  },
  T,
);

describe('light profile', () => {
  test(
    "FAS's URI names the official mongo image's one member, its port and its replica set, as it initiates itself",
    () => {
      const { objects } = deployedObjects(chart(), 'light');
      expect(objects.filter((o) => o.kind === 'StatefulSet' && isOwn(o))).toEqual([]);
      const secret = find<K8sObject & { data: Record<string, string> }>(own(objects), 'Secret');
      const uri = new URL(Buffer.from(secret.data['mongodb-uri'], 'base64').toString());
      const sts = find<StatefulSet>(objects, 'StatefulSet');
      const service = find<K8sObject & { spec: { clusterIP: string; publishNotReadyAddresses: boolean } }>(
        objects,
        'Service',
        sts.spec.serviceName,
      );
      const [mongod] = sts.spec.template.spec.containers;

      expect(mongod.image).toMatch(/^mongo:\d+\.\d+\.\d+$/);
      expect(sts.spec.replicas).toBe(1);
      expect(service.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      expect(uri.hostname).toBe(`${sts.metadata.name}-0.${service.metadata.name}`);
      expect(Number(uri.port)).toBe(mongod.ports?.find((p) => p.name === 'mongodb')?.containerPort);
      const replicaSet = uri.searchParams.get('replicaSet');
      expect(mongod.args?.join(' ')).toContain(`--replSet ${replicaSet}`);
      const initiate = mongod.readinessProbe?.exec?.command.join(' ') ?? '';
      expect(initiate).toContain(`_id: '${replicaSet}'`);
      expect(initiate).toContain(`host: '${uri.host}'`);
    },
    T,
  );
});
