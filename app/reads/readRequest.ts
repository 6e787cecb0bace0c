import { ParsedUrlQuery } from 'node:querystring';
import { ApiError } from '../api/apiError';
import {
  DEFAULT_PAGE_ROWS,
  Dimension,
  DIMENSIONS,
  MAX_FILTER_VALUES,
  MAX_HOUR,
  MAX_PAGE_ROWS,
  NAME_FIELDS,
  NameField,
  SORT_TOTALS,
  SortTotal,
} from '../api/constants';
import { hourSchema, nameSchema } from '../data/flow';
import { decodeCursor } from './pageCursor';
import { PositionValue, TotalsQuery } from './totalsQuery';

const PARAMETERS = ['hour', 'from', 'to', ...NAME_FIELDS, 'by', 'sort', 'limit', 'cursor'];

/** The most characters of an unknown parameter's name an error repeats. */
const MAX_NAMED_CHARS = 64;

/** A page of totals asked for: the read, the rows a page holds, and where the page starts. */
export interface PageRequest {
  query: TotalsQuery;
  limit: number;
  after?: PositionValue[];
}

/** What GET /flows was asked: the original whole-hour read, or a page of totals. */
export type ReadRequest = { kind: 'hour'; hour: number } | ({ kind: 'page' } & PageRequest);

function invalid(parameter: string, message: string): ApiError {
  return new ApiError(400, 'invalid_parameter', message, { parameter });
}

/** The original API's answer to a missing or bad hour, kept byte for byte. */
function invalidHour(): ApiError {
  return new ApiError(400, 'invalid_hour', `query parameter hour must be an integer from 0 to ${MAX_HOUR}`);
}

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalid(name, `${name} may be given only once`);
  return value;
}

/** Only plain digits: "1e3", "+1", " 1" or "1.0" would pass Number() but are not what the API documents. */
function integer(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

/** An hour given once, as plain digits, within the record schema's hours. */
function hourOf(value: unknown): number | undefined {
  const hour = integer(value);
  return hour === undefined || hourSchema.validate(hour).error ? undefined : hour;
}

function hourParameter(query: ParsedUrlQuery, name: 'from' | 'to'): number {
  const text = single(query, name);
  if (text === undefined) throw invalid(name, 'a range needs both from and to (hours since the epoch)');
  const hour = hourOf(text);
  if (hour === undefined) throw invalid(name, `${name} must be an integer from 0 to ${MAX_HOUR}`);
  return hour;
}

function hours(query: ParsedUrlQuery, maxQueryHours: number): { from: number; to: number } {
  if (query.hour !== undefined) {
    const hour = hourOf(query.hour);
    if (hour === undefined) throw invalidHour();
    for (const name of ['from', 'to']) {
      if (query[name] !== undefined) throw invalid(name, 'give either hour or from and to, not both');
    }
    return { from: hour, to: hour };
  }
  if (query.from === undefined && query.to === undefined) throw invalidHour();
  const from = hourParameter(query, 'from');
  const to = hourParameter(query, 'to');
  if (to < from) throw invalid('to', `to (${to}) must not be before from (${from})`);
  const span = to - from + 1;
  if (span > maxQueryHours) {
    throw new ApiError(
      400,
      'range_too_long',
      `from ${from} to ${to} spans ${span} hours; a read spans at most ${maxQueryHours} (MAX_QUERY_HOURS)`,
      { max_hours: maxQueryHours },
    );
  }
  return { from, to };
}

/** Each filter's values, deduplicated and in binary order, so equal filters make equal queries. */
function filters(query: ParsedUrlQuery): Partial<Record<NameField, string[]>> {
  const result: Partial<Record<NameField, string[]>> = {};
  for (const name of NAME_FIELDS) {
    const given = query[name];
    if (given === undefined) continue;
    const values = [...new Set(Array.isArray(given) ? given : [given])];
    if (values.length > MAX_FILTER_VALUES) throw invalid(name, `${name} takes at most ${MAX_FILTER_VALUES} values`);
    for (const value of values) {
      const { error } = nameSchema.label(name).validate(value, { errors: { wrap: { label: false } } });
      if (error) throw invalid(name, error.details[0].message);
    }
    result[name] = values.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
  return result;
}

function dimensions(text: string | undefined, oneHour: boolean): Dimension[] {
  if (text === undefined) return oneHour ? [...DIMENSIONS] : DIMENSIONS.filter((d) => d !== 'hour');
  const names = text.split(',');
  for (const name of names) {
    if (!(DIMENSIONS as readonly string[]).includes(name)) {
      throw invalid('by', `by takes a comma-separated list of ${DIMENSIONS.join(', ')}`);
    }
  }
  if (new Set(names).size !== names.length) throw invalid('by', 'by names a field more than once');
  return DIMENSIONS.filter((d) => names.includes(d));
}

function sortTotal(text: string | undefined): SortTotal | undefined {
  if (text === undefined || (SORT_TOTALS as readonly string[]).includes(text)) return text as SortTotal | undefined;
  throw invalid('sort', `sort must be one of ${SORT_TOTALS.join(', ')}`);
}

function limit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAGE_ROWS;
  const rows = integer(text);
  if (rows === undefined || rows < 1 || rows > MAX_PAGE_ROWS) {
    throw invalid('limit', `limit must be an integer from 1 to ${MAX_PAGE_ROWS}`);
  }
  return rows;
}

/**
 * Whether a read costs every document of its hours, key documents or roll-ups (docs/reads.md): all do but a
 * page of one hour's whole keys in key order, which the index answers with about `limit` keys.
 */
export function readsWholeHours(read: ReadRequest): boolean {
  if (read.kind === 'hour') return true;
  const { from, to, sort, by } = read.query;
  return from !== to || sort !== undefined || by.length !== DIMENSIONS.length;
}

/** Unknown parameters are refused, so a typo never widens a read. */
function refuseUnknown(query: ParsedUrlQuery, known: readonly string[]): void {
  const unknown = Object.keys(query).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    // Named for the client, but never more of the request than a parameter name needs.
    const name = unknown.length > MAX_NAMED_CHARS ? `${unknown.slice(0, MAX_NAMED_CHARS)}…` : unknown;
    throw invalid(name, `unknown query parameter ${JSON.stringify(name)}; known: ${known.join(', ')}`);
  }
}

/** Parses and checks GET /flows's query string; every problem names its parameter. */
export function parseReadRequest(query: ParsedUrlQuery, maxQueryHours: number): ReadRequest {
  refuseUnknown(query, PARAMETERS);
  const { from, to } = hours(query, maxQueryHours);
  if (query.hour !== undefined && Object.keys(query).length === 1) return { kind: 'hour', hour: from };
  const paged = {
    from,
    to,
    filters: filters(query),
    by: dimensions(single(query, 'by'), query.hour !== undefined),
    sort: sortTotal(single(query, 'sort')),
  };
  const cursor = single(query, 'cursor');
  return {
    kind: 'page',
    query: paged,
    limit: limit(single(query, 'limit')),
    after: cursor === undefined ? undefined : decodeCursor(paged, cursor),
  };
}

/** Parses and checks GET /hours's query string: `until`, the last hour to look at, or none for every hour. */
export function parseHoursRequest(query: ParsedUrlQuery): { until: number } {
  refuseUnknown(query, ['until']);
  const text = single(query, 'until');
  if (text === undefined) return { until: MAX_HOUR };
  const until = hourOf(text);
  if (until === undefined) throw invalid('until', `until must be an integer from 0 to ${MAX_HOUR}`);
  return { until };
}
