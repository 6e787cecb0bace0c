import { MAX_FILTER_VALUES, MAX_PAGE_ROWS, NAME_FIELDS, NameField, SORT_TOTALS } from '../api/constants';
import { Hours, MAX_HOUR } from './hours';

export const FIELDS = NAME_FIELDS;
export type Field = NameField;
export const fieldNames: Record<Field, string> = { src_app: 'Source app', dest_app: 'Destination app', vpc_id: 'VPC' };
export const METRICS = SORT_TOTALS;
export type Metric = (typeof METRICS)[number];

/** Everything a view shows, all of it in the page's URL. */
export interface View {
  hours: Hours;
  /** Values per field; a flow matches any value given for a field. */
  filters: Record<Field, string[]>;
  /** The fields the table groups by, in the API's order. */
  by: Field[];
  sort: Metric;
  /** Flows the picture shows before summing the rest as "other". */
  top: number;
  /** Rows the table shows. */
  rows: number;
  /** Byte counts to the last digit rather than in KB, MB, GB. */
  exact: boolean;
}

/** The view a URL may leave without hours: the console then shows the latest hour with data. */
export type Requested = Omit<View, 'hours'> & { hours?: Hours };

const defaults = { by: [...FIELDS], sort: 'bytes' as Metric, top: 10, rows: 25 };
export const LIMITS = { top: 50, rows: MAX_PAGE_ROWS, values: MAX_FILTER_VALUES };

/** A URL parameter the console cannot show, named so the page can say which. */
export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

const single = ['hour', 'from', 'to', 'by', 'sort', 'top', 'rows', 'units'];
const known = new Set<string>([...single, ...FIELDS]);

function integer(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new BadParameter(name, `must be a whole number from ${min} to ${max}`);
  return value;
}

function parseHours(query: URLSearchParams): Hours | undefined {
  const hour = integer(query, 'hour', 0, MAX_HOUR);
  const from = integer(query, 'from', 0, MAX_HOUR);
  const to = integer(query, 'to', 0, MAX_HOUR);
  if (hour !== undefined) {
    if (from !== undefined || to !== undefined) throw new BadParameter('hour', 'give either hour, or from and to');
    return { from: hour, to: hour };
  }
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined) throw new BadParameter('from', 'is missing: a range needs both from and to');
  if (to === undefined) throw new BadParameter('to', 'is missing: a range needs both from and to');
  if (to < from) throw new BadParameter('to', 'is before from');
  return { from, to };
}

function parseBy(text: string | null): Field[] {
  if (text === null) return [...defaults.by];
  const names = text.split(',');
  if (!names.every((n) => (FIELDS as readonly string[]).includes(n)) || new Set(names).size !== names.length) {
    throw new BadParameter('by', `must list some of ${FIELDS.join(', ')}, each once`);
  }
  return FIELDS.filter((f) => names.includes(f));
}

/** Reads a view from a URL's query; throws BadParameter naming the first parameter it cannot use. */
export function parseView(query: URLSearchParams): Requested {
  for (const name of new Set(query.keys())) {
    if (!known.has(name)) throw new BadParameter(name, 'is not a parameter of the console');
    if (single.includes(name) && query.getAll(name).length > 1) throw new BadParameter(name, 'is given more than once');
  }
  const filters = {} as Record<Field, string[]>;
  for (const field of FIELDS) {
    const values = [...new Set(query.getAll(field))];
    if (values.some((v) => v === '')) throw new BadParameter(field, 'has an empty value');
    if (values.length > LIMITS.values) throw new BadParameter(field, `has more than ${LIMITS.values} values`);
    filters[field] = values;
  }
  const sort = query.get('sort') ?? defaults.sort;
  if (!(METRICS as readonly string[]).includes(sort)) throw new BadParameter('sort', `must be one of ${METRICS.join(', ')}`);
  const units = query.get('units') ?? 'human';
  if (units !== 'human' && units !== 'exact') throw new BadParameter('units', 'must be human or exact');
  return {
    hours: parseHours(query),
    filters,
    by: parseBy(query.get('by')),
    sort: sort as Metric,
    top: integer(query, 'top', 1, LIMITS.top) ?? defaults.top,
    rows: integer(query, 'rows', 1, LIMITS.rows) ?? defaults.rows,
    exact: units === 'exact',
  };
}

/** The URL query of a view: hours always, everything else only where it differs from the default. */
export function viewQuery(view: View): URLSearchParams {
  const query = new URLSearchParams();
  const { from, to } = view.hours;
  if (from === to) query.set('hour', String(from));
  else {
    query.set('from', String(from));
    query.set('to', String(to));
  }
  for (const field of FIELDS) for (const value of view.filters[field]) query.append(field, value);
  if (view.by.join() !== defaults.by.join()) query.set('by', view.by.join());
  if (view.sort !== defaults.sort) query.set('sort', view.sort);
  if (view.top !== defaults.top) query.set('top', String(view.top));
  if (view.rows !== defaults.rows) query.set('rows', String(view.rows));
  if (view.exact) query.set('units', 'exact');
  return query;
}
