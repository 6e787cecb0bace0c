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

const rendered = () =>
  find<PrometheusRule>(own(chart().render({ metrics: { prometheusRule: { enabled: true, for: '5m' } } })), 'PrometheusRule');

function rulesFile(): string {
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, stringify({ groups: rendered().spec.groups }));
  return file;
}

/** Counters of two pods over 30 minutes: flows at 1,000/s each, upserts at `upsertsPerFlow` of that. */
function fleetSeries(upsertsPerFlow: number, views: [number, number], failed: number) {
  const pod = (p: string) => `namespace="team-a", pod="flows-fas-${p}"`;
  const counter = (perMinute: number) => `0+${perMinute}x30`;
  return ['a', 'b'].flatMap((p, i) => [
    { series: `fas_flows_ingested_total{${pod(p)}}`, values: counter(60_000) },
    { series: `fas_flush_keys_sum{${pod(p)}}`, values: counter(60_000 * upsertsPerFlow) },
    { series: `fas_fleet_view{${pod(p)}}`, values: `${views[i]}x30` },
    { series: `fas_hop_forwards_total{${pod(p)}, outcome="failed"}`, values: counter(failed) },
  ]);
}

function promtoolTest(name: string, series: object[], fired: string[]): string {
  const rules = rendered().spec.groups.flatMap((g) => g.rules);
  const test = {
    rule_files: [rulesFile()],
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
  it('is off by default, and promtool accepts its rules', () => {
    expect(own(chart().render()).filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(execFileSync(promtool, ['check', 'rules', rulesFile()], { encoding: 'utf8' })).toContain('SUCCESS: 3 rules found');
  }, 120_000);

  it('stays quiet over a fleet that routes: each key written by one pod, the same view, no failed forward', () => {
    expect(promtoolTest('routing', fleetSeries(0.03, [7, 7], 0), [])).toContain('SUCCESS');
  }, 120_000);

  it('fires when routing is broken, when the members disagree, and when forwards fail', () => {
    expect(promtoolTest('broken', fleetSeries(0.96, [7, 8], 5), ['FasUpsertsPerFlowHigh', 'FasMembersDisagree', 'FasForwardsFailing'])).toContain(
      'SUCCESS',
    );
  }, 120_000);

  it('fails the promtool test when an alert that should fire does not (the test can fail)', () => {
    expect(() => promtoolTest('wrong', fleetSeries(0.03, [7, 7], 0), ['FasUpsertsPerFlowHigh'])).toThrow(/FAILED|exit/);
  }, 120_000);
});
