import { allFlows, flowsQuery, Row } from './api';
import { Hours } from './hours';
import { Field } from './view';

/**
 * Encoded characters the narrowing values may take in one read's URL: Node.js takes 16 KB of request line
 * and headers, and the rest of the URL and the headers need some.
 */
const URL_BUDGET = 12_000;

type Filters = Record<Field, string[]>;

/** What `field=value&` takes in a URL, for each value. */
const sizeOf = (field: Field, values: string[]) =>
  values.reduce((size, value) => size + field.length + encodeURIComponent(value).length + 2, 0);

/** Values in runs whose pairs fit the budget. */
function runs(field: Field, values: string[]): string[][] {
  const all: string[][] = [[]];
  let used = 0;
  for (const value of values) {
    const size = sizeOf(field, [value]);
    if (used + size > URL_BUDGET && all[all.length - 1].length) {
      all.push([]);
      used = 0;
    }
    all[all.length - 1].push(value);
    used += size;
  }
  return all;
}

/**
 * The filters of the reads that select the flows of some fields narrowed to given values: the lists go into
 * the URL whole as far as they fit, smallest first; when not even the smallest fits, it is cut into runs,
 * a read each. A list left out is applied to the answer instead (see narrowedRows).
 */
function narrowedFilters(filters: Filters, narrowed: Partial<Filters>): Filters[] {
  const fields = (Object.keys(narrowed) as Field[]).sort((a, b) => sizeOf(a, narrowed[a] ?? []) - sizeOf(b, narrowed[b] ?? []));
  const whole: Partial<Filters> = {};
  let used = 0;
  for (const field of fields) {
    const size = sizeOf(field, narrowed[field] ?? []);
    if (used + size <= URL_BUDGET) {
      whole[field] = narrowed[field];
      used += size;
    }
  }
  if (Object.keys(whole).length) return [{ ...filters, ...whole }];
  return runs(fields[0], narrowed[fields[0]] ?? []).map((run) => ({ ...filters, [fields[0]]: run }));
}

/**
 * Every row of a read over hours whose fields are narrowed to given values, and the reads made: none when
 * a field is narrowed to nothing, for no flow matches.
 */
export async function narrowedRows(
  hours: Hours,
  filters: Filters,
  narrowed: Partial<Filters>,
  extra: Record<string, string>,
  signal: AbortSignal,
): Promise<{ rows: Row[]; reads: string[] }> {
  const kept = Object.entries(narrowed).map(([field, values]) => [field as Field, new Set(values)] as const);
  if (kept.some(([, values]) => values.size === 0)) return { rows: [], reads: [] };
  const reads = narrowedFilters(filters, narrowed).map((set) => flowsQuery(hours, set, extra));
  const pages = await Promise.all(reads.map((read) => allFlows(read, signal)));
  const rows = pages.flat().filter((row) => kept.every(([field, values]) => values.has(row[field] ?? '')));
  return { rows, reads };
}
