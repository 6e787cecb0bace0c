import { Row } from './api';
import { Picture } from './charts';
import { Drill } from './drill';
import { Flows } from './flows';
import { elapsedSeconds, hourLabel, partialHour } from './hours';
import { metricOf } from './totals';
import { bitsPerSecond, humanBytes, humanRate } from './units';
import { Field, fieldNames, LIMITS, Metric, View } from './view';

/** A series of the over-time chart: its bytes in each hour that has any. */
interface Series {
  name: string;
  bytes: Map<number, bigint>;
  /** The filter a click on one of its bars adds, beside the bar's hour. */
  filters?: Partial<Record<Field, string>>;
}

const metricWords: Record<Metric, string> = { bytes: '', bytes_tx: ' sent', bytes_rx: ' received' };
/** What a legend entry takes: the swatch and gap, and the text up to its cut. */
const LEGEND = { swatch: 35, char: 7, text: 120, row: 24, width: 16 };
const HEIGHT = 380;

function perHour(rows: Row[], bytes: (row: Row) => bigint): Map<number, bigint> {
  return new Map(rows.map((row) => [row.hour ?? 0, bytes(row)]));
}

/**
 * Sent and received, or, split by a field, the view's metric of each of its top values and of "other":
 * what the selection holds beyond them, exact.
 */
export function seriesOf(view: View, flows: Flows): Series[] {
  const { split } = flows;
  if (!split) {
    return [
      { name: 'sent (tx)', bytes: perHour(flows.perHour, (row) => row.bytes_tx) },
      { name: 'received (rx)', bytes: perHour(flows.perHour, (row) => row.bytes_rx) },
    ];
  }
  const series: Series[] = split.values.map((value) => ({
    name: value,
    bytes: perHour(split.rows.filter((row) => row[split.field] === value), (row) => metricOf(row, view.sort)),
    filters: { [split.field]: value },
  }));
  const other = perHour(flows.perHour, (row) => metricOf(row, view.sort));
  for (const { bytes } of series) for (const [hour, b] of bytes) other.set(hour, (other.get(hour) ?? 0n) - b);
  return [...series, { name: 'other', bytes: other }];
}

/** An hour's average rate: over all of it, the part gone when the flows were read, or none to come. */
const rateOf = (bytes: bigint, hour: number, at: number) => bitsPerSecond(bytes, elapsedSeconds({ from: hour, to: hour }, at));

const hoursOf = (view: View) => Array.from({ length: view.hours.to - view.hours.from + 1 }, (_, i) => view.hours.from + i);

/** The chart's numbers: one row per hour, the exact bytes of each series, and their average rate. */
export function seriesTable(view: View, flows: Flows): { head: string[]; rows: (string | bigint)[][] } {
  const series = seriesOf(view, flows);
  const rows = hoursOf(view).map((hour) => {
    const bytes = series.map((s) => s.bytes.get(hour) ?? 0n);
    const total = bytes.reduce((a, b) => a + b, 0n);
    return [`${hourLabel(hour)} UTC`, ...bytes, humanRate(rateOf(total, hour, flows.at))];
  });
  return { head: ['Hour', ...series.map((s) => s.name), 'Average rate, all'], rows };
}

/** Hours between labels: a divisor or multiple of a day, so labels fall on the same times each day. */
const STEPS = [1, 2, 3, 6, 12, 24, 48, 96, 168, 336, 720, 1440];
/** The width a label needs, "12-01" or "20:00" and air. */
const LABEL_WIDTH = 56;

function labelStep(count: number, width: number): number {
  const room = Math.max(1, Math.floor((width - 80) / LABEL_WIDTH));
  return STEPS.find((step) => count / step <= room) ?? STEPS[STEPS.length - 1];
}

/** "20:00", and the date at midnight: "12-01". */
function hourText(hour: number): string {
  const label = hourLabel(hour);
  return hour % 24 === 0 ? label.slice(5, 10) : label.slice(11);
}

/** Rows the legend takes at this width, entries laid out as ECharts does, near enough. */
function legendRows(names: string[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const size = LEGEND.swatch + Math.min(LEGEND.text, name.length * LEGEND.char);
    if (used + size > width - LEGEND.width && used > 0) {
      rows += 1;
      used = 0;
    }
    used += size;
  }
  return rows;
}

/** The chart in words: what it shows, its busiest hour, and the hour still going. */
function describe(view: View, flows: Flows, hours: number[], totals: bigint[]): string {
  const rates = hours.map((hour, i) => rateOf(totals[i], hour, flows.at) ?? 0);
  const busiest = rates.indexOf(Math.max(...rates));
  const { split } = flows;
  const what = split
    ? `of the top ${Math.min(view.top, LIMITS.split)} ${fieldNames[split.field].toLowerCase()}s by bytes${metricWords[view.sort]}, and other`
    : 'of bytes sent and received';
  const words = [
    rates[busiest] > 0
      ? `Bar chart of the average rate per hour ${what}, ${hours.length} hours; the busiest hour is ${hourLabel(hours[busiest])} UTC ` +
        `with ${humanRate(rates[busiest])} (${humanBytes(totals[busiest])}).`
      : 'Bar chart of the average rate per hour: no flows.',
  ];
  const partial = partialHour(view.hours, flows.at);
  if (partial) {
    words.push(`The hour from ${hourLabel(partial.hour)} UTC is still going: its rate is over the ${minutes(partial.seconds)} minutes so far.`);
  }
  return words.join(' ');
}

const minutes = (seconds: number) => Math.floor(seconds / 60);

/** A bar's point: its rate, what the tooltip and a click need. */
interface Point {
  value: number | null;
  bytes: bigint;
  hour: number;
}

/**
 * The average rate of each hour, bits per second, stacked by series: the unit a link's capacity is given
 * in, and an hour still going is divided by its minutes so far, so it stands beside the others. Its bar is
 * hatched. A click on a bar shows that hour (and that series' value).
 */
export function seriesPicture(view: View, flows: Flows, width: number): Picture {
  const series = seriesOf(view, flows);
  const hours = hoursOf(view);
  const partial = partialHour(view.hours, flows.at);
  const totals = hours.map((hour) => series.reduce((sum, s) => sum + (s.bytes.get(hour) ?? 0n), 0n));
  const rows = legendRows(series.map((s) => s.name), width);
  const step = labelStep(hours.length, width);
  const labelled = (index: number) => (hours[index] ?? 0) % step === 0;
  const hatched = { decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -Math.PI / 4 } };
  const tip = (points: { seriesName: string; data: Point }[]) => {
    const hour = points[0]?.data.hour ?? 0;
    const going = partial?.hour === hour ? `, ${minutes(partial.seconds)} minutes so far` : '';
    const lines = points.map(({ seriesName, data }) => `${seriesName}: ${humanRate(data.value ?? undefined)} (${humanBytes(data.bytes)})`);
    return [`${hourLabel(hour)} UTC${going}`, ...lines].join('\n');
  };
  return {
    option: {
      grid: { left: 8, right: 8, top: rows * LEGEND.row + 16, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { width: LEGEND.text, overflow: 'truncate' } },
      tooltip: { trigger: 'axis', formatter: (params) => tip(params as unknown as Parameters<typeof tip>[0]) },
      xAxis: {
        type: 'category',
        data: hours.map(String),
        axisTick: { interval: labelled },
        axisLabel: { interval: labelled, formatter: (value: string) => hourText(Number(value)), alignMinLabel: 'left', alignMaxLabel: 'right' },
      },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => humanRate(value) } },
      series: series.map((s) => ({
        name: s.name,
        type: 'bar',
        stack: 'rate',
        barMaxWidth: 48,
        data: hours.map((hour) => {
          const bytes = s.bytes.get(hour) ?? 0n;
          const drill: Drill = { hour, ...(s.filters && { filters: s.filters }) };
          const point: Point = { value: rateOf(bytes, hour, flows.at) ?? null, bytes, hour };
          return { ...point, drill, ...(partial?.hour === hour && { itemStyle: hatched }) };
        }),
      })),
    },
    label: describe(view, flows, hours, totals),
    height: HEIGHT + (rows - 1) * LEGEND.row,
  };
}
