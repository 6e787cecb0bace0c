import { Hours, MAX_HOUR } from './hours';
import { defaults, Field, FIELDS, LIMITS, Metric, METRICS, noFilters, REFRESH_SECONDS, Requested, View } from './view';

/** A URL parameter the console cannot show, named so the page can say which. */
export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

const single = ['hour', 'from', 'to', 'last', 'by', 'sort', 'top', 'rows', 'units', 'split', 'compare', 'refresh'];
const known = new Set<string>([...single, ...FIELDS]);

function integer(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new BadParameter(name, `must be a whole number from ${min} to ${max}`);
  return value;
}

/** "24h", "7d": hours; days are written as such when they are whole and more than one. */
function lastText(hours: number): string {
  return hours % 24 === 0 && hours > 24 ? `${hours / 24}d` : `${hours}h`;
}

function parseLast(text: string): number {
  const match = /^([1-9]\d{0,4})([hd])$/.exec(text);
  if (!match) throw new BadParameter('last', 'must be a number of hours or days, such as 24h or 7d');
  return Number(match[1]) * (match[2] === 'd' ? 24 : 1);
}

function parseHours(query: URLSearchParams): Pick<Requested, 'hours' | 'last'> {
  const hour = integer(query, 'hour', 0, MAX_HOUR);
  const from = integer(query, 'from', 0, MAX_HOUR);
  const to = integer(query, 'to', 0, MAX_HOUR);
  const last = query.get('last');
  if (last !== null) {
    if (hour !== undefined || from !== undefined || to !== undefined) {
      throw new BadParameter('last', 'give either last, or hour, or from and to');
    }
    return { last: parseLast(last) };
  }
  if (hour !== undefined) {
    if (from !== undefined || to !== undefined) throw new BadParameter('hour', 'give either hour, or from and to');
    return { hours: { from: hour, to: hour } };
  }
  if (from === undefined && to === undefined) return {};
  if (from === undefined) throw new BadParameter('from', 'is missing: a range needs both from and to');
  if (to === undefined) throw new BadParameter('to', 'is missing: a range needs both from and to');
  if (to < from) throw new BadParameter('to', 'is before from');
  return { hours: { from, to } };
}

function parseBy(text: string | null): Field[] {
  if (text === null) return [...defaults.by];
  const names = text.split(',');
  if (!names.every((n) => (FIELDS as readonly string[]).includes(n)) || new Set(names).size !== names.length) {
    throw new BadParameter('by', `must list some of ${FIELDS.join(', ')}, each once`);
  }
  return FIELDS.filter((f) => names.includes(f));
}

function oneOf<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  if (!(values as readonly string[]).includes(text)) throw new BadParameter(name, `must be one of ${values.join(', ')}`);
  return text as T;
}

const refreshTexts = REFRESH_SECONDS.map((s) => `${s / 60}m`);

/** Reads a view from a URL's query; throws BadParameter naming the first parameter it cannot use. */
export function parseView(query: URLSearchParams): Requested {
  for (const name of new Set(query.keys())) {
    if (!known.has(name)) throw new BadParameter(name, 'is not a parameter of the console');
    if (single.includes(name) && query.getAll(name).length > 1) throw new BadParameter(name, 'is given more than once');
  }
  const filters = noFilters();
  for (const field of FIELDS) {
    const values = [...new Set(query.getAll(field))];
    if (values.some((v) => v === '')) throw new BadParameter(field, 'has an empty value');
    if (values.length > LIMITS.values) throw new BadParameter(field, `has more than ${LIMITS.values} values`);
    filters[field] = values;
  }
  const refresh = oneOf(query, 'refresh', refreshTexts);
  return {
    ...parseHours(query),
    filters,
    by: parseBy(query.get('by')),
    sort: oneOf<Metric>(query, 'sort', METRICS) ?? defaults.sort,
    top: integer(query, 'top', 1, LIMITS.top) ?? defaults.top,
    rows: integer(query, 'rows', 1, LIMITS.rows) ?? defaults.rows,
    exact: oneOf(query, 'units', ['human', 'exact']) === 'exact',
    split: oneOf(query, 'split', FIELDS),
    compare: oneOf(query, 'compare', ['previous']) === 'previous',
    refresh: refresh ? Number.parseInt(refresh, 10) * 60 : defaults.refresh,
  };
}

/** The URL query of hours: the last N hours as such, so that they keep following the clock. */
function hoursQuery(query: URLSearchParams, hours: Hours, last?: number): void {
  if (last !== undefined) query.set('last', lastText(last));
  else if (hours.from === hours.to) query.set('hour', String(hours.from));
  else {
    query.set('from', String(hours.from));
    query.set('to', String(hours.to));
  }
}

/** The URL query of a view: hours always, everything else only where it differs from the default. */
export function viewQuery(view: View): URLSearchParams {
  const query = new URLSearchParams();
  hoursQuery(query, view.hours, view.last);
  for (const field of FIELDS) for (const value of view.filters[field]) query.append(field, value);
  if (view.by.join() !== defaults.by.join()) query.set('by', view.by.join());
  if (view.sort !== defaults.sort) query.set('sort', view.sort);
  if (view.top !== defaults.top) query.set('top', String(view.top));
  if (view.rows !== defaults.rows) query.set('rows', String(view.rows));
  if (view.exact) query.set('units', 'exact');
  if (view.split) query.set('split', view.split);
  if (view.compare) query.set('compare', 'previous');
  if (view.refresh) query.set('refresh', `${view.refresh / 60}m`);
  return query;
}
