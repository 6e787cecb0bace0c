import { allFlows, flowsQuery, Row } from './api';
import { Hours } from './hours';
import { Field } from './view';

/** Encoded characters the narrowing values may take in one read's URL: well within Node.js's 16 KB. */
const URL_BUDGET = 6000;

type Filters = Record<Field, string[]>;

/** Values in runs whose encoded `field=value` pairs fit the budget. */
function chunks(field: Field, values: string[], budget: number): string[][] {
  const runs: string[][] = [[]];
  let used = 0;
  for (const value of values) {
    const size = field.length + encodeURIComponent(value).length + 2;
    if (used + size > budget && runs[runs.length - 1].length) {
      runs.push([]);
      used = 0;
    }
    runs[runs.length - 1].push(value);
    used += size;
  }
  return runs;
}

/**
 * The filters with some fields narrowed to the given values, as sets of filters whose reads together select
 * exactly those flows (the product of each field's runs of values), each read's URL short enough for the
 * service. None when a field is narrowed to nothing: no flow matches.
 */
export function narrowedFilters(filters: Filters, narrowed: Partial<Filters>): Filters[] {
  const fields = Object.keys(narrowed) as Field[];
  let sets = [filters];
  for (const field of fields) {
    const values = narrowed[field] ?? [];
    const runs = chunks(field, values, URL_BUDGET / fields.length);
    sets = values.length ? sets.flatMap((set) => runs.map((run) => ({ ...set, [field]: run }))) : [];
  }
  return sets;
}

/** Every row of a read over hours with some fields narrowed to the given values, and the reads made. */
export async function narrowedRows(
  hours: Hours,
  filters: Filters,
  narrowed: Partial<Filters>,
  extra: Record<string, string>,
  signal: AbortSignal,
): Promise<{ rows: Row[]; reads: string[] }> {
  const reads = narrowedFilters(filters, narrowed).map((set) => flowsQuery(hours, set, extra));
  const pages = await Promise.all(reads.map((read) => allFlows(read, signal)));
  return { rows: pages.flat(), reads };
}
