import { exactBytes, humanBytes } from './bytes';
import { byId, el } from './dom';
import { Totals } from './flows';
import { hoursLabel } from './hours';
import { View } from './view';

/** The selection's totals in large type, every digit on hover (and in the table's last row). */
export function renderTotals(view: View, totals: Totals): void {
  byId('hours-shown').textContent = hoursLabel(view.hours);
  const item = (name: string, bytes: bigint) =>
    el('div', {}, el('dt', {}, name), el('dd', {}, el('data', { value: String(bytes), title: exactBytes(bytes) }, humanBytes(bytes))));
  byId('totals').replaceChildren(
    item('Total', totals.bytes_tx + totals.bytes_rx),
    item('Sent (tx)', totals.bytes_tx),
    item('Received (rx)', totals.bytes_rx),
  );
}
