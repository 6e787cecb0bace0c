import { byId, el } from './dom';
import { Flows } from './flows';
import { hourCount, hourLabel, hoursLabel, partialHour, spanWords } from './hours';
import { metricOf, Totals } from './totals';
import { bitsPerSecond, exactBytes, humanBytes, humanChange, humanRate, percentChange } from './units';
import { Metric, View } from './view';

const items: [string, Metric][] = [['Total', 'bytes'], ['Sent (tx)', 'bytes_tx'], ['Received (rx)', 'bytes_rx']];

/** The hours in words; a range that follows the clock says so. */
export function describeHours(view: View): string {
  const hours = hoursLabel(view.hours);
  return view.last === undefined ? hours : `the last ${spanWords(view.last)}: ${hours}`;
}

function item(name: string, bytes: bigint, seconds: number, before?: bigint): HTMLElement {
  const value = el('dd', {}, el('data', { value: String(bytes), title: exactBytes(bytes) }, humanBytes(bytes)));
  const rate = el('dd', { class: 'rate' }, `${humanRate(bitsPerSecond(bytes, seconds))} on average`);
  if (before === undefined) return el('div', {}, el('dt', {}, name), value, rate);
  const change = `${humanChange(bytes - before, false)} (${percentChange(bytes, before)})`;
  return el('div', {}, el('dt', {}, name), value, rate, el('dd', { class: 'change', title: `${exactBytes(before)} before` }, change));
}

/** What the numbers need said: an hour still going, what they are compared with, when they were read. */
function notes(view: View, flows: Flows): string[] {
  const said: string[] = [];
  const partial = partialHour(view.hours, flows.at);
  if (partial) {
    const gone = Math.floor(partial.seconds / 60);
    said.push(`The hour from ${hourLabel(partial.hour).slice(11)} UTC is still going (${gone} minutes so far): ` +
      'its bytes are partial, its rate counts those minutes only.');
  }
  if (flows.previous) {
    said.push(`Changes are from the ${spanWords(hourCount(flows.previous.hours))} before: ${hoursLabel(flows.previous.hours)}.`);
    if (partial) said.push('Those hours are all over, so the changes read low by up to the share of the hour still going.');
  } else if (view.compare) {
    said.push('There is no period of the same length before these hours to compare with.');
  }
  said.push(`Read at ${new Date(flows.at).toISOString().slice(11, 19)} UTC.`);
  return said;
}

/**
 * The selection's totals in large type, every digit on hover (and in the table's last row), each with its
 * average rate and, when comparing, its change; and what the numbers need said.
 */
export function renderSummary(view: View, flows: Flows, seconds: number): void {
  const hours = describeHours(view);
  byId('hours-shown').textContent = hours.charAt(0).toUpperCase() + hours.slice(1);
  const before: Totals | undefined = flows.previous?.totals;
  byId('totals').replaceChildren(
    ...items.map(([name, metric]) => item(name, metricOf(flows.totals, metric), seconds, before && metricOf(before, metric))),
  );
  byId('notes').replaceChildren(...notes(view, flows).map((note) => el('p', {}, note)));
}
