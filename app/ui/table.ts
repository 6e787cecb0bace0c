import { Row } from './api';
import { el } from './dom';
import { Drill, drillHref } from './drill';
import { hourCount, spanWords } from './hours';
import { PreviousFlows } from './previousFlows';
import { keyOf, metricOf, Totals, zero } from './totals';
import { bitsPerSecond, exactBytes, humanBytes, humanChange, humanRate, percentChange } from './units';
import { fieldNames, Metric, View } from './view';

export const metricNames: Record<Metric, string> = { bytes_tx: 'Sent (tx)', bytes_rx: 'Received (rx)', bytes: 'Total' };
const metricOrder: Metric[] = ['bytes_tx', 'bytes_rx', 'bytes'];

/** What the table shows beside its rows: the seconds rates are over, and the previous period. */
export interface TableContext {
  seconds: number;
  previous?: PreviousFlows;
}

/**
 * A byte count: in human units with every digit on hover, or every digit as plain, copyable text. The
 * data element's value always holds the digits.
 */
function bytesCell(bytes: bigint, exact: boolean, metric: Metric, sorted: Metric): HTMLTableCellElement {
  const value = el('data', { value: String(bytes), title: exactBytes(bytes) }, exact ? String(bytes) : humanBytes(bytes));
  return el('td', { class: metric === sorted ? 'num sorted' : 'num', 'data-metric': metric }, value);
}

function rateCell(bytes: bigint, seconds: number): HTMLTableCellElement {
  return el('td', { class: 'num rate' }, humanRate(bitsPerSecond(bytes, seconds)));
}

/** The change since the previous period, in bytes and percent; every digit on hover. */
function changeCell(now: bigint, before: bigint, exact: boolean): HTMLTableCellElement {
  const change = now - before;
  const title = `${exactBytes(before)} before; ${change < 0n ? '' : '+'}${exactBytes(change)}`;
  return el(
    'td',
    { class: 'num change', title },
    el('data', { value: String(change) }, humanChange(change, exact)),
    el('span', {}, ` ${percentChange(now, before)}`),
  );
}

function head(view: View, context: TableContext, onSort: (metric: Metric) => void): HTMLTableSectionElement {
  const cells = view.by.map((field) => el('th', { scope: 'col', class: 'name' }, fieldNames[field]));
  for (const metric of metricOrder) {
    const button = el('button', { type: 'button', 'data-sort': metric }, metricNames[metric]);
    button.title = `Sort by ${metricNames[metric].toLowerCase()}, largest first`;
    button.addEventListener('click', () => onSort(metric));
    const th = el('th', { scope: 'col', class: metric === view.sort ? 'num sorted' : 'num', 'data-metric': metric }, button);
    if (metric === view.sort) th.setAttribute('aria-sort', 'descending');
    cells.push(th);
  }
  const rate = el('th', { scope: 'col', class: 'num rate' }, `${metricNames[view.sort]} rate`);
  rate.title = 'Average bits per second over the hours shown; an hour still going counts its minutes so far';
  cells.push(rate);
  if (context.previous) cells.push(el('th', { scope: 'col', class: 'num change' }, 'Change'));
  return el('thead', {}, el('tr', {}, ...cells));
}

/** A name that drills down to the view narrowed to it: a link, so it also opens in a tab of its own. */
function nameCell(view: View, drill: Drill, name: string, onDrill: (drill: Drill) => void): HTMLTableCellElement {
  const link = el('a', { href: drillHref(view, drill), title: 'Show only these flows' }, name);
  link.addEventListener('click', (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();
    onDrill(drill);
  });
  return el('td', { class: 'name' }, link);
}

function body(view: View, rows: Row[], context: TableContext, onDrill: (drill: Drill) => void): HTMLTableSectionElement {
  return el(
    'tbody',
    {},
    ...rows.map((row) => {
      const names = view.by.map((field) => nameCell(view, { filters: { [field]: row[field] ?? '' } }, row[field] ?? '', onDrill));
      const cells = [...names, ...metricOrder.map((m) => bytesCell(metricOf(row, m), view.exact, m, view.sort))];
      cells.push(rateCell(metricOf(row, view.sort), context.seconds));
      const before = context.previous && (context.previous.rows.get(keyOf(row, view.by)) ?? zero());
      if (before) cells.push(changeCell(metricOf(row, view.sort), metricOf(before, view.sort), view.exact));
      const tr = el('tr', {}, ...cells);
      // A click elsewhere on the row narrows to all its names at once.
      tr.addEventListener('click', () => onDrill({ filters: Object.fromEntries(view.by.map((f) => [f, row[f] ?? ''])) }));
      return tr;
    }),
  );
}

function foot(view: View, totals: Totals, context: TableContext): HTMLTableSectionElement {
  const label = el('th', { scope: 'row', colspan: String(view.by.length), class: 'name' }, 'All selected flows');
  const cells = [label, ...metricOrder.map((m) => bytesCell(metricOf(totals, m), view.exact, m, view.sort))];
  cells.push(rateCell(metricOf(totals, view.sort), context.seconds));
  const { previous } = context;
  if (previous) cells.push(changeCell(metricOf(totals, view.sort), metricOf(previous.totals, view.sort), view.exact));
  return el('tfoot', {}, el('tr', {}, ...cells));
}

/**
 * The top talkers: one row per group of the view's fields, largest first, with the average rate and, when
 * comparing, the change since the previous period; the last row holds the selection's totals.
 */
export function renderTable(
  table: HTMLTableElement,
  view: View,
  rows: Row[],
  totals: Totals,
  context: TableContext,
  on: { sort: (m: Metric) => void; drill: (drill: Drill) => void },
): void {
  const shown = rows.length === 1 ? '1 row' : `${rows.length} rows`;
  const compared = context.previous ? `; change since the ${spanWords(hourCount(context.previous.hours))} before` : '';
  const caption = el('caption', {}, `${shown}, largest ${metricNames[view.sort].toLowerCase()} first${compared}`);
  // A header a person just pressed is redrawn: the keyboard stays on it.
  const focused = table.contains(document.activeElement) ? document.activeElement?.getAttribute('data-sort') : null;
  table.replaceChildren(caption, head(view, context, on.sort), body(view, rows, context, on.drill), foot(view, totals, context));
  if (focused) table.querySelector<HTMLButtonElement>(`button[data-sort="${focused}"]`)?.focus();
}
