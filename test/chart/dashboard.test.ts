import { parser } from '@prometheus-io/lezer-promql';
import request from 'supertest';
import { RunningService, startFleet } from '../support/service';
import { find, K8sObject, own, useStagedChart } from './helm';

/**
 * The Grafana dashboard ConfigMap, and every series its queries and the PrometheusRule's alerts name against
 * a running service's /metrics.
 */

interface Target {
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
  datasource?: { uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
}
type ConfigMap = K8sObject & { data: Record<string, string> };

const T = 60_000;
const chart = useStagedChart();

/** Labels Prometheus adds to every series it scrapes from a pod (kube-prometheus-stack's ServiceMonitor). */
const TARGET_LABELS = ['namespace', 'pod', 'job', 'instance', 'service', 'container', 'endpoint'];

/** Metric names and label names a PromQL expression uses; throws on a syntax error. */
function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  // Grafana's interval variables stand where PromQL wants a duration.
  const promql = expr.replace(/\$__rate_interval|\$__interval/g, '5m');
  const metrics: string[] = [];
  const labels: string[] = [];
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in ${expr}`);
      const text = promql.slice(node.from, node.to);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text);
      if (node.name === 'LabelName') labels.push(text);
    },
  });
  return { metrics, labels };
}

/**
 * Every series name in a Prometheus text exposition, histograms with their _bucket/_sum/_count, and the label
 * names its samples carry (a labelled series has none until it is first counted).
 */
function exported(text: string): { metrics: Set<string>; labels: Map<string, Set<string>> } {
  const metrics = new Set<string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type;
      const suffixes = kind === 'histogram' ? ['_bucket', '_sum', '_count'] : kind === 'summary' ? ['', '_sum', '_count'] : [''];
      for (const suffix of suffixes) metrics.add(name + suffix);
    }
    const sample = /^(\w+)\{(.*)\} /.exec(line);
    if (sample) {
      const names = labels.get(sample[1]) ?? new Set<string>();
      for (const [, label] of sample[2].matchAll(/(\w+)="/g)) names.add(label);
      labels.set(sample[1], names);
    }
  }
  return { metrics, labels };
}

/**
 * Labels an expression uses that none of its metrics' samples carry and Prometheus does not add. An expression
 * over series not yet counted is not judged: /metrics cannot show their labels.
 */
function unknownLabels(used: { metrics: string[]; labels: string[] }, samples: Map<string, Set<string>>): string[] {
  const carried = used.metrics.filter((m) => samples.has(m)).flatMap((m) => [...(samples.get(m) ?? [])]);
  if (!used.metrics.some((m) => samples.has(m))) return [];
  return used.labels.filter((label) => !TARGET_LABELS.includes(label) && !carried.includes(label));
}

function dashboardOf(objects: K8sObject[]): Dashboard {
  return JSON.parse(find<ConfigMap>(own(objects), 'ConfigMap', 'flows-fas-dashboard').data['fas.json']) as Dashboard;
}

describe('the Grafana dashboard ConfigMap', () => {
  test(
    'is off by default; on, it carries the Grafana sidecar label and a dashboard that parses',
    () => {
      expect(own(chart().render()).filter((o) => o.metadata.name.endsWith('-dashboard'))).toEqual([]);
      const objects = chart().render({ metrics: { grafanaDashboard: { enabled: true } } });
      const configMap = find<ConfigMap>(own(objects), 'ConfigMap', 'flows-fas-dashboard');
      expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
      expect(configMap.metadata.namespace).toBe('team-a');
      const dashboard = dashboardOf(objects);
      expect(dashboard).toMatchObject({ uid: 'fas-overview', title: 'FAS' });
      const titles = dashboard.panels.filter((p) => p.type !== 'row').map((p) => p.title);
      for (const topic of ['Ingest rate', 'Request latency p50', 'Request latency p99', 'Flush size', 'Flush duration', 'Pending records', 'MongoDB errors', 'CPU per pod', 'Memory per pod']) {
        expect(titles.some((title) => title.startsWith(topic))).toBe(true);
      }
    },
    T,
  );

  test(
    'goes to the namespace the Grafana sidecar watches, with its folder annotation',
    () => {
      const objects = chart().render({
        metrics: { grafanaDashboard: { enabled: true, namespace: 'monitoring', annotations: { grafana_folder: 'Flows' } } },
      });
      const configMap = find<ConfigMap>(own(objects), 'ConfigMap', 'flows-fas-dashboard');
      expect(configMap.metadata.namespace).toBe('monitoring');
      expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Flows' });
    },
    T,
  );
});

interface PrometheusRule extends K8sObject {
  spec: { groups: { rules: { expr: string }[] }[] };
}

describe('every series the dashboard and the alerts query is one the service exports', () => {
  let fleet: RunningService[] = [];
  let metricsText = '';
  beforeAll(async () => {
    // A member of a fleet of two, so the routing series exist too.
    fleet = await startFleet(2);
    const service = fleet[0];
    // One of each request kind, so the labelled series (route, method, status, operation, outcome) exist.
    const flows = Array.from({ length: 20 }, (_, i) => ({ src_app: `a${i}`, dest_app: 'b', vpc_id: 'vpc-0', bytes_tx: 1, bytes_rx: 2, hour: 1 }));
    await request(service.url).post('/flows').send(flows).expect(200);
    await request(service.url).get('/flows?hour=1').expect(200);
    metricsText = (await request(service.url).get('/metrics').expect(200)).text;
  }, T);
  afterAll(async () => {
    await Promise.all(fleet.map((m) => m.stop()));
  });

  test(
    'metric names, and every label the queries group or filter by',
    () => {
      const dashboard = dashboardOf(chart().render({ metrics: { grafanaDashboard: { enabled: true } } }));
      const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
      expect(exprs.length).toBeGreaterThanOrEqual(15);
      const variables = dashboard.templating.list.flatMap((v) => (typeof v.query === 'object' ? [v.query.query] : []));
      // label_values(SELECTOR, LABEL) is Grafana's, not PromQL: its first argument is a selector.
      const selectors = variables.map((query) => /^label_values\((.*), (\w+)\)$/.exec(query)).filter((m) => m !== null);
      expect(selectors).toHaveLength(variables.length);

      const rule = find<PrometheusRule>(own(chart().render({ metrics: { prometheusRule: { enabled: true } } })), 'PrometheusRule');
      const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr));
      expect(alerts.length).toBeGreaterThanOrEqual(3);
      const used = [...exprs, ...alerts, ...selectors.map((m) => m[1])].map(promqlNames);
      const { metrics, labels } = exported(metricsText);
      const queried = new Set(used.flatMap((u) => u.metrics));
      expect([...queried].filter((name) => !metrics.has(name))).toEqual([]);
      expect(queried.size).toBeGreaterThanOrEqual(12);
      expect(used.flatMap((u) => unknownLabels(u, labels))).toEqual([]);
      expect(selectors.map((m) => m[2]).filter((label) => !TARGET_LABELS.includes(label))).toEqual([]);
    },
    T,
  );

  test('the checks catch a misspelt metric, a misspelt label and a syntax error', () => {
    const { metrics, labels } = exported(metricsText);
    expect(metrics.has('fas_flush_duration_seconds_bucket')).toBe(true);
    expect(metrics.has('fas_flush_duration_seconds')).toBe(false);
    const typo = promqlNames('sum by (rout) (rate(fas_flows_ingest_total[$__rate_interval]))');
    expect(typo.metrics.filter((name) => !metrics.has(name))).toEqual(['fas_flows_ingest_total']);
    const wrongLabel = promqlNames('sum by (rout, pod) (rate(fas_http_request_duration_seconds_count[$__rate_interval]))');
    expect(unknownLabels(wrongLabel, labels)).toEqual(['rout']);
    expect(() => promqlNames('sum(rate(fas_flows_ingested_total[5m])')).toThrow('PromQL syntax error');
  });
});
