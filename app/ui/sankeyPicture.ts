import { Picture } from './charts';
import { Drill } from './drill';
import { Link, SankeyFlows } from './sankeyFlows';
import { metricOf } from './totals';
import { bitsPerSecond, humanBytes, humanRate } from './units';
import { Metric } from './view';

const metricWords: Record<Metric, string> = { bytes: 'bytes', bytes_tx: 'bytes sent', bytes_rx: 'bytes received' };

/** Node names: one set for sources, one for destinations, so an app that both sends and receives makes no loop. */
const node = (side: 's' | 'd', app?: string) => `${side} ${app ?? ''}`;
const shown = (app?: string) => app ?? 'other';

/** Room for each label: the line of 12 px text, and a little air. */
const NODE_GAP = 14;
const NODE_WIDTH = 20;
const MARGIN = 8;
/** The height the proportional part of the nodes gets at least, and the diagram's least height. */
const NODES_HEIGHT = 240;
const MIN_HEIGHT = 380;
/** Links named in the description; the data table has them all. */
const DESCRIBED = 20;

/** The diagram's links as rows: source, destination, bytes of the metric, average rate over `seconds`. */
export function sankeyRows(flows: SankeyFlows, metric: Metric, seconds: number): (string | bigint)[][] {
  return visible(flows.links, metric).map(({ link, bytes }) => [
    shown(link.src_app),
    shown(link.dest_app),
    bytes,
    humanRate(bitsPerSecond(bytes, seconds)),
  ]);
}

function visible(links: Link[], metric: Metric): { link: Link; bytes: bigint }[] {
  return links.map((link) => ({ link, bytes: metricOf(link, metric) })).filter(({ bytes }) => bytes > 0n);
}

/** A link narrows to its source and destination, where they are not "other"; "other" → "other" to nothing. */
function linkDrill({ src_app, dest_app }: Link): Drill | undefined {
  if (src_app === undefined && dest_app === undefined) return undefined;
  return { filters: { ...(src_app !== undefined && { src_app }), ...(dest_app !== undefined && { dest_app }) } };
}

/**
 * The top sources and destinations as a Sankey diagram, in order of size with "other" last on each side,
 * tall enough that every label has a line of its own, labels cut to half the width so they never meet.
 */
export function sankeyPicture(flows: SankeyFlows, metric: Metric, seconds: number, width: number): Picture {
  const links = visible(flows.links, metric);
  const totals = new Map<string, bigint>();
  for (const { link, bytes } of links) {
    for (const name of [node('s', link.src_app), node('d', link.dest_app)]) totals.set(name, (totals.get(name) ?? 0n) + bytes);
  }
  const tip = (name: string, bytes: bigint) => `${name}: ${humanBytes(bytes)}, ${humanRate(bitsPerSecond(bytes, seconds))} on average`;
  const nodes = (side: 's' | 'd', field: 'src_app' | 'dest_app', apps: (string | undefined)[]) =>
    apps
      .filter((app) => totals.has(node(side, app)))
      .map((app) => ({
        name: node(side, app),
        drill: app === undefined ? undefined : ({ filters: { [field]: app } } as Drill),
        tip: tip(shown(app), totals.get(node(side, app)) ?? 0n),
        ...(side === 'd' && { label: { position: 'left' as const } }),
      }));
  const sources = nodes('s', 'src_app', [...flows.sources.map((r) => r.src_app), undefined]);
  const destinations = nodes('d', 'dest_app', [...flows.destinations.map((r) => r.dest_app), undefined]);
  const count = Math.max(sources.length, destinations.length);
  const largest = [...links].sort((a, b) => (b.bytes > a.bytes ? 1 : b.bytes < a.bytes ? -1 : 0));
  const words = largest.slice(0, DESCRIBED).map(({ link, bytes }) => `${shown(link.src_app)} to ${shown(link.dest_app)} ${humanBytes(bytes)}`);
  if (largest.length > DESCRIBED) words.push(`and ${largest.length - DESCRIBED} more, in the table below`);
  return {
    option: {
      tooltip: { formatter: (p) => (p as unknown as { data: { tip: string } }).data.tip },
      series: [
        {
          type: 'sankey',
          data: [...sources, ...destinations],
          links: links.map(({ link, bytes }) => ({
            source: node('s', link.src_app),
            target: node('d', link.dest_app),
            value: Number(bytes),
            drill: linkDrill(link),
            tip: tip(`${shown(link.src_app)} → ${shown(link.dest_app)}`, bytes),
          })),
          left: MARGIN,
          right: MARGIN,
          top: MARGIN,
          bottom: MARGIN,
          nodeWidth: NODE_WIDTH,
          nodeGap: NODE_GAP,
          // In the order given: largest first, "other" last.
          layoutIterations: 0,
          emphasis: { focus: 'adjacency' },
          label: {
            formatter: (p) => shown(p.name.slice(2) || undefined),
            width: Math.max(40, (width - 2 * MARGIN - 2 * NODE_WIDTH) / 2 - 12),
            overflow: 'truncate',
          },
          lineStyle: { color: 'gradient', opacity: 0.4 },
        },
      ],
    },
    label: `Sankey diagram of ${metricWords[metric]} from source app to destination app: ${words.join('; ') || 'no flows'}.`,
    height: Math.max(MIN_HEIGHT, 2 * MARGIN + (count - 1) * NODE_GAP + NODES_HEIGHT),
  };
}
