import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadSettings } from '../../app/config/load';
import { startService } from '../support/service';
import { find, K8sObject, own, useStagedChart } from './helm';
import { validateObjects } from './kubernetesSchemas';

interface Container {
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items: { key: string; path: string }[] }; projected?: { sources: object[] } }[];
  serviceAccountName?: string;
}
interface Workload extends K8sObject {
  spec: { template: { metadata: { annotations: Record<string, string> }; spec: PodSpec } };
}
interface Secret extends K8sObject {
  stringData: Record<string, string>;
}

const T = 60_000;
const chart = useStagedChart((staged) => staged.withNotesProbe());
const dir = mkdtempSync(join(tmpdir(), 'fas-chart-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const AGENT_TOKEN = 'agent-token-5f1e';
const tokens = {
  auth: { tokens: { enabled: true, clients: [{ name: 'agent-eu-1', scopes: ['write'], sha256: sha256(AGENT_TOKEN) }] } },
};
const serviceAccounts = {
  auth: {
    serviceAccounts: {
      enabled: true,
      clients: [
        { namespace: 'agents', name: 'flow-agent', scopes: ['write'] },
        { namespace: 'monitoring', name: 'grafana', scopes: ['read', 'write'] },
      ],
    },
  },
};

const deployment = (objects: K8sObject[]) => find<Workload>(own(objects), 'Deployment');
const fas = (objects: K8sObject[]) => deployment(objects).spec.template.spec.containers[0];
const testPod = (objects: K8sObject[]) => find<K8sObject & { spec: PodSpec }>(objects, 'Pod');
const appConfig = (objects: K8sObject[]) =>
  parse(find<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap', 'flows-fas').data['config.yaml']) as Record<string, unknown>;
const notes = (objects: K8sObject[]) => find<K8sObject & { data: { notes: string } }>(objects, 'ConfigMap', 'notes-probe').data.notes;

/** The rendered helm test script, run here against a real service: what `helm test` runs in the cluster. */
async function runHelmTest(objects: K8sObject[], url: string, env: Record<string, string>) {
  const script = (testPod(objects).spec.containers[0].args?.[0] ?? '').replace('http://flows-fas:9527', url);
  return promisify(execFile)('/bin/sh', ['-ec', script], { timeout: 30_000, env: { PATH: process.env.PATH, ...env } });
}

describe('bearer tokens from a Secret', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = chart().render(tokens);
  }, T);

  test('writes the clients and a helm-test client into a Secret, never a token but the test\'s own', () => {
    const secret = find<Secret>(objects, 'Secret', 'flows-fas-auth');
    const testToken = secret.stringData['helm-test-token'];
    expect(testToken).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(secret.stringData.tokens.trim().split('\n')).toEqual([
      `agent-eu-1:write:${sha256(AGENT_TOKEN)}`,
      `helm-test:read,write:${sha256(testToken)}`,
    ]);
    expect(JSON.stringify(secret)).not.toContain(AGENT_TOKEN);
  });

  test('mounts the Secret as a directory the kubelet updates in place, and does not roll the pods for it', () => {
    const mount = fas(objects).volumeMounts?.find((m) => m.name === 'auth-tokens');
    expect(mount).toEqual({ name: 'auth-tokens', mountPath: '/etc/fas-auth', readOnly: true });
    const volume = deployment(objects).spec.template.spec.volumes?.find((v) => v.name === 'auth-tokens');
    expect(volume?.secret).toEqual({ secretName: 'flows-fas-auth', items: [{ key: 'tokens', path: 'tokens' }] });
    expect(appConfig(objects).authTokensFile).toBe('/etc/fas-auth/tokens');
    expect(Object.keys(deployment(objects).spec.template.metadata.annotations)).not.toContain('checksum/auth');
    const other = chart().render({ auth: { tokens: { ...tokens.auth.tokens, clients: [] } } });
    expect(deployment(other).spec.template.metadata.annotations).toEqual(deployment(objects).spec.template.metadata.annotations);
  }, T);

  test('reads an existing Secret by its key instead', () => {
    const existing = chart().render({ auth: { tokens: { enabled: true, existingSecret: 'fas-clients', key: 'clients.txt' } } });
    expect(own(existing).some((o) => o.kind === 'Secret')).toBe(false);
    const volume = deployment(existing).spec.template.spec.volumes?.find((v) => v.name === 'auth-tokens');
    expect(volume?.secret).toEqual({ secretName: 'fas-clients', items: [{ key: 'clients.txt', path: 'tokens' }] });
  }, T);

  test('the helm test posts and reads with its token against a service that requires one', async () => {
    const secret = find<Secret>(objects, 'Secret', 'flows-fas-auth');
    const file = join(dir, 'tokens');
    writeFileSync(file, secret.stringData.tokens);
    expect(testPod(objects).spec.containers[0].env).toEqual([
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'flows-fas-auth', key: 'helm-test-token' } } },
    ]);
    const service = await startService({ authTokensFile: file });
    try {
      const { stdout, stderr } = await runHelmTest(objects, service.url, { TOKEN: secret.stringData['helm-test-token'] });
      expect([stdout, stderr]).toEqual([expect.stringContaining('ok: '), '']);
      await expect(runHelmTest(objects, service.url, { TOKEN: 'wrong' })).rejects.toThrow();
    } finally {
      await service.stop();
    }
  }, T);

  test('without a token for the test, the helm test checks that reads and writes are refused', async () => {
    const existing = chart().render({ auth: { tokens: { enabled: true, existingSecret: 'fas-clients' } } });
    expect(testPod(existing).spec.containers[0].env).toBeUndefined();
    const file = join(dir, 'other-tokens');
    writeFileSync(file, `agent:write:${sha256(AGENT_TOKEN)}\n`);
    const service = await startService({ authTokensFile: file });
    try {
      const { stdout } = await runHelmTest(existing, service.url, {});
      expect(stdout).toContain('ok: reads and writes without a token are refused');
    } finally {
      await service.stop();
    }
    const open = await startService();
    try {
      await expect(runHelmTest(existing, open.url, {})).rejects.toThrow(/answered 200, not 401/);
    } finally {
      await open.stop();
    }
  }, T);

  test('NOTES say how to get the test token and send it', () => {
    const text = notes(objects);
    expect(text).toContain(
      "TOKEN=$(kubectl --namespace team-a get secret flows-fas-auth -o jsonpath='{.data.helm-test-token}' | base64 -d)",
    );
    expect(text).toContain(`curl -s -H "Authorization: Bearer $TOKEN" 'localhost:9527/flows?hour=1'`);
    expect(text).toContain(`curl -s -X POST localhost:9527/flows -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'`);
  });
});

describe('Kubernetes service-account tokens', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = chart().render(serviceAccounts);
  }, T);

  test('configures the issuer, the audience and the scopes of each service account, as the service reads them', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, find<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap', 'flows-fas').data['config.yaml']);
    const settings = loadSettings({ CONFIG_FILE: file, MONGODB_URI: 'mongodb://db:27017/', POD_IP: '10.0.0.7' });
    expect(settings).toMatchObject({
      authIssuer: 'https://kubernetes.default.svc.cluster.local',
      authAudience: 'fas',
      authServiceAccounts: 'agents/flow-agent:write monitoring/grafana:read,write',
      authIssuerTokenFile: '/var/run/secrets/fas-issuer/token',
      authTokensFile: '',
    });
  });

  test("binds the issuer-discovery role to FAS's service account and mounts its token and the cluster CA", () => {
    const binding = find<K8sObject & { roleRef: { name: string }; subjects: object[] }>(objects, 'ClusterRoleBinding');
    expect(binding.roleRef.name).toBe('system:service-account-issuer-discovery');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'flows-fas', namespace: 'team-a' }]);
    expect(deployment(objects).spec.template.spec.serviceAccountName).toBe('flows-fas');
    const volume = deployment(objects).spec.template.spec.volumes?.find((v) => v.name === 'issuer-access');
    expect(volume?.projected?.sources).toEqual([
      { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
    expect(fas(objects).env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/fas-issuer/ca.crt' });
    const without = chart().render({ auth: { serviceAccounts: { ...serviceAccounts.auth.serviceAccounts, issuerDiscoveryAccess: false } } });
    expect(without.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
    expect(appConfig(without).authIssuerTokenFile).toBe('');
  }, T);

  test('the helm test, with no token of its own, checks that requests without one are refused', () => {
    const script = testPod(objects).spec.containers[0].args?.[0] ?? '';
    expect(script).toContain('without a token answered');
    expect(notes(objects)).toContain('Set TOKEN to the token of one of your clients.');
  });
});

describe('/metrics kept to the monitoring namespace', () => {
  const values = {
    config: { metricsPort: 9100 },
    networkPolicy: {
      enabled: true,
      metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    },
    metrics: { serviceMonitor: { enabled: true } },
    ...tokens,
  };
  let objects: K8sObject[];
  beforeAll(() => {
    objects = chart().render(values);
  }, T);

  test('serves it on its own port, which only the monitoring namespace may reach, and scrapes it there', () => {
    expect(fas(objects).ports).toContainEqual({ name: 'metrics', containerPort: 9100, protocol: 'TCP' });
    expect(deployment(objects).spec.template.metadata.annotations['prometheus.io/port']).toBe('9100');
    const policy = find<K8sObject & { spec: { ingress: { ports: { port: string }[]; from?: object[] }[] } }>(objects, 'NetworkPolicy', 'flows-fas');
    expect(policy.spec.ingress).toContainEqual({
      ports: [{ port: 'metrics', protocol: 'TCP' }],
      from: values.networkPolicy.metricsFrom,
    });
    const monitor = find<K8sObject & { spec: { endpoints: { port: string }[] } }>(objects, 'ServiceMonitor');
    expect(monitor.spec.endpoints[0].port).toBe('metrics');
    const service = find<K8sObject & { spec: { ports: { name: string; port: number }[] } }>(own(objects), 'Service', 'flows-fas');
    expect(service.spec.ports.map((p) => p.name)).toEqual(['http', 'metrics']);
  });

  test('every object of the chart with authentication on is valid Kubernetes', () => {
    const all = chart().render({ ...values, ...serviceAccounts, auth: { ...tokens.auth, ...serviceAccounts.auth } });
    expect(validateObjects(own(all).filter((o) => o.metadata.name !== 'notes-probe'))).toEqual([]);
  }, T);
});
