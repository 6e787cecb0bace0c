import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { find, K8sObject, own, repoRoot, useStagedChart } from './helm';

/**
 * The chart's alerts, evaluated by Prometheus's own promtool (scripts/promtool.sh installs it): they load,
 * and over series shaped like a fleet's they fire when routing is broken or the members disagree, and only
 * then.
 */
interface Rule {
  alert: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface PrometheusRule extends K8sObject {
  spec: { groups: { rules: Rule[] }[] };
}

const chart = useStagedChart();
const dir = mkdtempSync(join(tmpdir(), 'fas-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let promtool = '';
beforeAll(() => {
  promtool = execFileSync(join(repoRoot, 'scripts/promtool.sh'), { encoding: 'utf8', timeout: 600_000 }).trim();
}, 600_000);

/** The chart's PrometheusRule, enabled, with `values` for its other settings. */
const rendered = (values: object = {}) =>
  find<PrometheusRule>(own(chart().render({ metrics: { prometheusRule: { enabled: true, for: '5m', ...values } } })), 'PrometheusRule');

function rulesFile(values: object = {}): string {
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, stringify({ groups: rendered(values).spec.groups }));
  return file;
}

interface Fleet {
  pods: number;
  /** Keys upserted per flow acknowledged. */
  upsertsPerFlow: number;
  /** The share of its records each pod forwards to their owners; undefined: no forward ever (no series). */
  forwarded?: number;
  /** Each pod's fas_fleet_view. */
  views?: number[];
  /** Forwards failing a minute, each pod. */
  failed?: number;
}

/** Counters of a fleet over 30 minutes: flows at 1,000/s a pod, upserts and forwards as shares of that. */
function fleetSeries({ pods, upsertsPerFlow, forwarded, views = [], failed = 0 }: Fleet) {
  const pod = (p: number) => `namespace="team-a", pod="flows-fas-${p}"`;
  const counter = (perMinute: number) => `0+${perMinute}x30`;
  return Array.from({ length: pods }, (_, p) => [
    { series: `fas_flows_ingested_total{${pod(p)}}`, values: counter(60_000) },
    { series: `fas_flush_keys_sum{${pod(p)}}`, values: counter(60_000 * upsertsPerFlow) },
    { series: `fas_pending_records{${pod(p)}}`, values: '0x30' },
    { series: `fas_fleet_view{${pod(p)}}`, values: `${views[p] ?? 7}x30` },
    { series: `fas_hop_forwards_total{${pod(p)}, outcome="failed"}`, values: counter(failed) },
    ...(forwarded === undefined ? [] : [{ series: `fas_hop_forwarded_records_total{${pod(p)}, outcome="acknowledged"}`, values: counter(60_000 * forwarded) }]),
  ]).flat();
}

function promtoolTest(name: string, series: object[], fired: string[], values: object = {}): string {
  const rules = rendered(values).spec.groups.flatMap((g) => g.rules);
  expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(fired));
  const test = {
    rule_files: [rulesFile(values)],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: series,
        alert_rule_test: rules.map(({ alert, labels, annotations }) => ({
          eval_time: '25m',
          alertname: alert,
          exp_alerts: fired.includes(alert) ? [{ exp_labels: labels, exp_annotations: annotations }] : [],
        })),
      },
    ],
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(test));
  return execFileSync(promtool, ['test', 'rules', file], { encoding: 'utf8' });
}

describe('the PrometheusRule', () => {
  it('is off by default, and promtool accepts its rules: three, four with an upserts bound', () => {
    expect(own(chart().render()).filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(execFileSync(promtool, ['check', 'rules', rulesFile()], { encoding: 'utf8' })).toContain('SUCCESS: 3 rules found');
    expect(execFileSync(promtool, ['check', 'rules', rulesFile({ upsertsPerFlow: 0.1 })], { encoding: 'utf8' })).toContain('SUCCESS: 4 rules found');
  }, 120_000);

  it('stays quiet over a fleet that routes: half its records forwarded by each of two pods, the same view, no failed forward', () => {
    expect(promtoolTest('routing', fleetSeries({ pods: 2, upsertsPerFlow: 0.03, forwarded: 0.5 }), [], { upsertsPerFlow: 0.1 })).toContain('SUCCESS');
  }, 120_000);

  // The chart's defaults at production scale (docs/capacity.md): a 10 ms window upserts 0.63 keys a flow with
  // routing working, which an alert on upserts per flow at 0.5 took for broken routing.
  it('stays quiet over three pods that route with a short window, however many keys a flow they upsert', () => {
    expect(promtoolTest('short-window', fleetSeries({ pods: 3, upsertsPerFlow: 0.63, forwarded: 2 / 3 }), [])).toContain('SUCCESS');
  }, 120_000);

  it('stays quiet over one pod alone, which forwards nothing', () => {
    expect(promtoolTest('alone', fleetSeries({ pods: 1, upsertsPerFlow: 0.2 }), [])).toContain('SUCCESS');
  }, 120_000);

  // With a 1 s window, 12 pods that do not route upsert 0.34 keys a flow: under that 0.5, so it never fired.
  it('fires when routing is off, whatever the upserts a flow, and when the members disagree and forwards fail', () => {
    const broken = fleetSeries({ pods: 3, upsertsPerFlow: 0.34, views: [7, 8, 7], failed: 5 });
    expect(promtoolTest('broken', broken, ['FasRoutingOff', 'FasMembersDisagree', 'FasForwardsFailing'])).toContain('SUCCESS');
  }, 120_000);

  it('fires when forwards stop reaching their owners, and above the upserts bound the deployment was sized for', () => {
    const fallingBack = fleetSeries({ pods: 3, upsertsPerFlow: 0.34, forwarded: 0.05 });
    expect(promtoolTest('falling-back', fallingBack, ['FasRoutingOff', 'FasUpsertsPerFlowHigh'], { upsertsPerFlow: 0.1 })).toContain('SUCCESS');
  }, 120_000);

  it('fails the promtool test when an alert that should fire does not (the test can fail)', () => {
    expect(() => promtoolTest('wrong', fleetSeries({ pods: 2, upsertsPerFlow: 0.03, forwarded: 0.5 }), ['FasRoutingOff'])).toThrow(/FAILED|exit/);
  }, 120_000);
});
