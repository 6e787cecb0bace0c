import { Row } from './api';
import { View } from './view';

/** A spreadsheet reads a cell starting with one of these as a formula: such names get a leading '. */
const FORMULA = /^[=+\-@]/;

/** A name as a CSV field; names hold no control characters, so no line breaks. */
function cell(value: string): string {
  const text = FORMULA.test(value) ? `'${value}` : value;
  return /[",]/.test(text) || text !== value ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table's rows as CSV (RFC 4180): the grouped names, then sent, received and total bytes, every digit. */
export function tableCsv(view: View, rows: Row[]): string {
  const lines = [[...view.by, 'bytes_tx', 'bytes_rx', 'bytes'].join(',')];
  for (const row of rows) {
    lines.push([...view.by.map((f) => cell(row[f] ?? '')), row.bytes_tx, row.bytes_rx, row.bytes_tx + row.bytes_rx].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

let url: string | undefined;

/** Points the link at a download of the table, named for its hours. */
export function linkCsv(link: HTMLAnchorElement, view: View, rows: Row[]): void {
  if (url) URL.revokeObjectURL(url);
  url = URL.createObjectURL(new Blob([tableCsv(view, rows)], { type: 'text/csv' }));
  link.href = url;
  link.download = `flows-${view.hours.from}-${view.hours.to}.csv`;
}
