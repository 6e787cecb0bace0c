import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadSettings } from '../../app/config/load';
import { settingKeys } from '../../app/config/settings';
import { find, K8sObject, useStagedChart } from './helm';

interface ConfigMap extends K8sObject {
  data: Record<string, string>;
}

const modes: [string, object][] = [
  ['mongodb', {}],
  ['mongodb-sharded', { mongodb: { enabled: false }, 'mongodb-sharded': { enabled: true } }],
  ['external', { mongodb: { enabled: false }, externalMongodb: { uri: 'mongodb://db.example:27017/' } }],
];

const chart = useStagedChart();
const dir = mkdtempSync(join(tmpdir(), 'fas-chart-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The chart's config.yaml is read by the service's own loader, so the two cannot drift apart. */
describe.each(modes)('the %s mode ConfigMap', (mode, values) => {
  it('is accepted by the service and sets every setting but the secret URI', () => {
    const configMap = find<ConfigMap>(chart().render(values), 'ConfigMap', 'flows-fas');
    const file = join(dir, `${mode}.yaml`);
    writeFileSync(file, configMap.data['config.yaml']);
    // As the Deployment sets them: the URI from a Secret, the pod's own address from the downward API.
    const settings = loadSettings({ CONFIG_FILE: file, MONGODB_URI: 'mongodb://from-the-secret:27017/', POD_IP: '10.0.0.7' });
    expect(settings.peerDnsName).toBe('flows-fas-members.team-a.svc.cluster.local');
    expect(settings.mongodbShardCollection).toBe(mode === 'mongodb-sharded');
    const keys = Object.keys(parse(configMap.data['config.yaml']) as object).sort();
    expect(keys).toEqual(settingKeys.filter((key) => key !== 'mongodbUri').sort());
  }, 60_000);
});
