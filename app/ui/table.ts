import { Row } from './api';
import { exactBytes, humanBytes } from './bytes';
import { el } from './dom';
import { metricOf, Totals } from './flows';
import { fieldNames, Metric, View } from './view';

const metricNames: Record<Metric, string> = { bytes_tx: 'Sent (tx)', bytes_rx: 'Received (rx)', bytes: 'Total' };
const metricOrder: Metric[] = ['bytes_tx', 'bytes_rx', 'bytes'];

/**
 * A byte count: in human units with every digit on hover, or every digit as plain, copyable text. The
 * data element's value always holds the digits.
 */
function bytesCell(bytes: bigint, exact: boolean): HTMLTableCellElement {
  const value = el('data', { value: String(bytes), title: exactBytes(bytes) }, exact ? String(bytes) : humanBytes(bytes));
  return el('td', { class: 'num' }, value);
}

function head(view: View, onSort: (metric: Metric) => void): HTMLTableSectionElement {
  const cells = view.by.map((field) => el('th', { scope: 'col' }, fieldNames[field]));
  for (const metric of metricOrder) {
    const button = el('button', { type: 'button', 'data-sort': metric }, metricNames[metric]);
    button.title = `Sort by ${metricNames[metric].toLowerCase()}, largest first`;
    button.addEventListener('click', () => onSort(metric));
    const th = el('th', { scope: 'col', class: 'num' }, button);
    if (metric === view.sort) th.setAttribute('aria-sort', 'descending');
    cells.push(th);
  }
  return el('thead', {}, el('tr', {}, ...cells));
}

function body(view: View, rows: Row[]): HTMLTableSectionElement {
  return el(
    'tbody',
    {},
    ...rows.map((row) =>
      el(
        'tr',
        {},
        ...view.by.map((field) => el('td', {}, row[field] ?? '')),
        ...metricOrder.map((metric) => bytesCell(metricOf(row, metric), view.exact)),
      ),
    ),
  );
}

function foot(view: View, totals: Totals): HTMLTableSectionElement {
  const label = el('th', { scope: 'row', colspan: String(view.by.length) }, 'All selected flows');
  return el('tfoot', {}, el('tr', {}, label, ...metricOrder.map((m) => bytesCell(metricOf(totals, m), view.exact))));
}

/** The top talkers: one row per group of the view's fields, largest first, and the selection's totals. */
export function renderTable(table: HTMLTableElement, view: View, rows: Row[], totals: Totals, onSort: (m: Metric) => void): void {
  const shown = rows.length === 1 ? '1 row' : `${rows.length} rows`;
  const caption = el('caption', {}, `${shown}, largest ${metricNames[view.sort].toLowerCase()} first`);
  // A header a person just pressed is redrawn: the keyboard stays on it.
  const focused = table.contains(document.activeElement) ? document.activeElement?.getAttribute('data-sort') : null;
  table.replaceChildren(caption, head(view, onSort), body(view, rows), foot(view, totals));
  if (focused) table.querySelector<HTMLButtonElement>(`button[data-sort="${focused}"]`)?.focus();
}
