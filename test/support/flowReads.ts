import request from 'supertest';
import { FlowRecord } from '../../app/data/flow';
// Types only: what the rows must hold is computed here, independently of the service's code.
import type { Dimension, NameField, SortTotal } from '../../app/api/constants';

export interface ExpectedRead {
  from: number;
  to: number;
  by: Dimension[];
  sort?: SortTotal;
  filters?: Partial<Record<NameField, string[]>>;
}

interface Row {
  key: Partial<Record<Dimension, string | number>>;
  tx: bigint;
  rx: bigint;
}

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * What a read must answer, computed from the records posted, independently of the service: BigInt sums, the
 * total descending, then the `by` fields in binary UTF-8 order and hours ascending. Each row as exact JSON.
 */
export function expectedRows(records: readonly FlowRecord[], read: ExpectedRead): string[] {
  const rows = new Map<string, Row>();
  for (const r of records) {
    if (r.hour < read.from || r.hour > read.to) continue;
    const filters = Object.entries(read.filters ?? {}) as [keyof FlowRecord, string[]][];
    if (filters.some(([field, values]) => !values.includes(r[field] as string))) continue;
    const key = Object.fromEntries(read.by.map((d) => [d, r[d]]));
    const id = JSON.stringify(key);
    const row = rows.get(id) ?? { key, tx: 0n, rx: 0n };
    row.tx += BigInt(r.bytes_tx);
    row.rx += BigInt(r.bytes_rx);
    rows.set(id, row);
  }
  const total = (row: Row) =>
    read.sort === 'bytes' ? row.tx + row.rx : read.sort === 'bytes_tx' ? row.tx : read.sort === 'bytes_rx' ? row.rx : 0n;
  const sorted = [...rows.values()].sort((a, b) => {
    const byTotal = total(b) - total(a);
    if (byTotal !== 0n) return byTotal > 0n ? 1 : -1;
    for (const d of read.by) {
      const [x, y] = [a.key[d], b.key[d]];
      const order = typeof x === 'number' ? x - (y as number) : utf8Order(x as string, y as string);
      if (order !== 0) return order;
    }
    return 0;
  });
  return sorted.map((row) => {
    const fields = read.by.map((d) => `"${d}":${JSON.stringify(row.key[d])}`);
    return `{${[...fields, `"bytes_tx":${row.tx}`, `"bytes_rx":${row.rx}`].join(',')}}`;
  });
}

const MAX_PAGES = 1000;

/** The next page's URL from a response's Link header; undefined without one. */
export function nextLink(res: request.Response): string | undefined {
  const link = res.headers.link as string | undefined;
  if (link === undefined) return undefined;
  const next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
  if (next === undefined) throw new Error(`unexpected Link header: ${link}`);
  return next;
}

/** Follows rel="next" from `path` until it is absent; the text of every page, in order. */
export async function readAllPages(baseUrl: string, path: string): Promise<string[]> {
  const pages: string[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    if (pages.length === MAX_PAGES) throw new Error(`more than ${MAX_PAGES} pages from ${path}`);
    const res = await request(baseUrl).get(next);
    if (res.status !== 200) throw new Error(`GET ${next}: ${res.status} ${res.text}`);
    pages.push(res.text);
    next = nextLink(res);
  }
  return pages;
}

/** Rows as JSON texts, split into pages of `limit` as the service must send them. */
export function asPages(rows: readonly string[], limit: number): string[] {
  const pages: string[] = [];
  for (let i = 0; i < rows.length || pages.length === 0; i += limit) pages.push(`[${rows.slice(i, i + limit).join(',')}]`);
  return pages;
}
