import { Row } from './api';
import { humanBytes } from './bytes';
import { ChartOption } from './charts';
import { metricOf, sum, Totals } from './flows';
import { hourLabel, Hours } from './hours';
import { Metric } from './view';

const metricWords: Record<Metric, string> = { bytes: 'bytes', bytes_tx: 'bytes sent', bytes_rx: 'bytes received' };

/** Node names: one set for sources, one for destinations, so an app that both sends and receives makes no loop. */
const source = (app: string) => `s ${app}`;
const destination = (app: string) => `d ${app}`;
const OTHER = '';
const shown = (node: string) => (node.length > 2 ? node.slice(2) : 'other');

interface Picture {
  option: ChartOption;
  label: string;
}

/** Top source → destination pairs as a Sankey diagram; whatever the selection holds beyond them is "other". */
export function sankey(pairs: Row[], totals: Totals, metric: Metric): Picture {
  const nodes = new Map<string, { name: string; label?: { position: 'left' } }>();
  const links: { source: string; target: string; value: number }[] = [];
  const words: string[] = [];
  const link = (from: string, to: string, bytes: bigint) => {
    if (bytes <= 0n) return;
    nodes.set(from, { name: from });
    nodes.set(to, { name: to, label: { position: 'left' } });
    links.push({ source: from, target: to, value: Number(bytes) });
    words.push(`${shown(from)} to ${shown(to)} ${humanBytes(bytes)}`);
  };
  for (const pair of pairs) link(source(pair.src_app ?? ''), destination(pair.dest_app ?? ''), metricOf(pair, metric));
  link(source(OTHER), destination(OTHER), metricOf(totals, metric) - metricOf(sum(pairs), metric));
  return {
    option: {
      tooltip: {
        formatter: (p) => {
          const { data } = p as unknown as { data: { name?: string; source?: string; target?: string } };
          const name = data.source ? `${shown(data.source)} → ${shown(data.target ?? '')}` : shown(data.name ?? '');
          return `${name}: ${humanBytes(BigInt(Math.round(Number((p as { value: number }).value))))}`;
        },
      },
      series: [
        {
          type: 'sankey',
          data: [...nodes.values()],
          links,
          left: 8,
          right: 8,
          nodeGap: 10,
          emphasis: { focus: 'adjacency' },
          label: { formatter: (p) => shown(p.name) },
          lineStyle: { color: 'gradient', opacity: 0.4 },
        },
      ],
    },
    label: `Sankey diagram of ${metricWords[metric]} from source app to destination app: ${words.join('; ') || 'no flows'}.`,
  };
}

/** Sent and received bytes per hour of the range, stacked; hours without data are zero. */
export function timeSeries(hours: Hours, perHour: Row[]): Picture {
  const byHour = new Map(perHour.map((row) => [row.hour, row]));
  const axis: string[] = [];
  const tx: number[] = [];
  const rx: number[] = [];
  for (let hour = hours.from; hour <= hours.to; hour += 1) {
    const row = byHour.get(hour);
    axis.push(hourLabel(hour).slice(5));
    tx.push(Number(row?.bytes_tx ?? 0n));
    rx.push(Number(row?.bytes_rx ?? 0n));
  }
  const human = (value: unknown) => humanBytes(BigInt(Math.round(Number(value))));
  const peak = perHour.reduce<Row | undefined>((a, b) => (!a || b.bytes_tx + b.bytes_rx > a.bytes_tx + a.bytes_rx ? b : a), undefined);
  const label = peak
    ? `Bar chart of bytes sent and received per hour, ${axis.length} hours; the busiest hour is ${hourLabel(peak.hour ?? 0)} UTC with ${humanBytes(peak.bytes_tx + peak.bytes_rx)}.`
    : 'Bar chart of bytes per hour: no flows.';
  return {
    option: {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: human },
      xAxis: { type: 'category', data: axis },
      yAxis: { type: 'value', axisLabel: { formatter: human } },
      series: [
        { name: 'sent (tx)', type: 'bar', stack: 'bytes', data: tx, barMaxWidth: 48 },
        { name: 'received (rx)', type: 'bar', stack: 'bytes', data: rx, barMaxWidth: 48 },
      ],
    },
    label,
  };
}
