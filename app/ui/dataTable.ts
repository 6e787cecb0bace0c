import { el } from './dom';

type Cell = string | bigint;

/**
 * A chart's numbers as a table, in a details element of the page: what the chart draws, for screen
 * readers and for anyone who wants the digits. Byte counts are exact, in a data element's value. Built
 * only while the details are open.
 */
export class DataTable {
  private head: string[] = [];
  private rows: Cell[][] = [];

  constructor(private readonly details: HTMLDetailsElement) {
    details.addEventListener('toggle', () => this.fill());
  }

  show(head: string[], rows: Cell[][]): void {
    this.head = head;
    this.rows = rows;
    this.fill();
  }

  private fill(): void {
    const table = this.details.querySelector('table');
    if (!table || !this.details.open) return table?.replaceChildren();
    const cell = (value: Cell) =>
      typeof value === 'bigint' ? el('td', { class: 'num' }, el('data', { value: String(value) }, String(value))) : el('td', {}, value);
    table.replaceChildren(
      el('thead', {}, el('tr', {}, ...this.head.map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, ...this.rows.map((row) => el('tr', {}, ...row.map(cell)))),
    );
  }
}
