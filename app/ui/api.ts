import { Hours } from './hours';
import { authorization } from './token';
import { Field, FIELDS } from './view';

/** A row of GET /flows: the fields asked for with `by`, and the totals, exact. */
export interface Row {
  src_app?: string;
  dest_app?: string;
  vpc_id?: string;
  hour?: number;
  bytes_tx: bigint;
  bytes_rx: bigint;
}

export interface Page {
  rows: Row[];
  /** The next page's URL, from the Link header; absent on the last page. */
  next?: string;
}

export interface ErrorDetails {
  /** The query parameter a 400 is about. */
  parameter?: string;
  /** A 503's Retry-After, in seconds. */
  retryAfter?: number;
  /** The longest range the server reads, from a range_too_long answer. */
  maxHours?: number;
}

/** An answer other than 200, with the API's error code and message; status 0 when none came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

type Reviver = (key: string, value: unknown, context?: { source: string }) => unknown;
const parse = JSON.parse as (text: string, reviver: Reviver) => unknown;

/** Whether this browser hands JSON.parse's reviver the source text, which exact totals need. */
export const readsExactly = parse('1', (_key, _value, context) => context?.source) === '1';

/** Totals may pass 2^53, where a double would round them: they are read from their digits as BigInt. */
function parseRows(text: string): Row[] {
  return parse(text, (key, value, context) =>
    (key === 'bytes_tx' || key === 'bytes_rx') && typeof value === 'number' && context ? BigInt(context.source) : value,
  ) as Row[];
}

/** The query of a read over hours with filters, plus the parameters given. */
export function flowsQuery(hours: Hours, filters: Record<Field, string[]>, extra: Record<string, string>): string {
  const query = new URLSearchParams({ from: String(hours.from), to: String(hours.to), ...extra });
  for (const field of FIELDS) for (const value of filters[field]) query.append(field, value);
  return `/flows?${query}`;
}

/** The parameters an error is about when its body does not name one. */
const impliedParameter: Record<string, string> = { invalid_hour: 'hour', range_too_long: 'from, to' };

async function failure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as {
    error?: string;
    message?: string;
    parameter?: string;
    max_hours?: number;
  };
  const retryAfter = Number(res.headers.get('Retry-After'));
  return new ApiError(res.status, body.error ?? 'http_error', body.message ?? `the service answered ${res.status}`, {
    parameter: body.parameter ?? impliedParameter[body.error ?? ''],
    retryAfter: Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    maxHours: body.max_hours,
  });
}

/** A GET of the API, answered 200; any other answer, or none, as an ApiError. */
async function get(url: string, signal: AbortSignal): Promise<Response> {
  const res = await fetch(url, { signal, headers: { Accept: 'application/json', ...authorization() } }).catch((err: unknown) => {
    if (signal.aborted) throw err;
    throw new ApiError(0, 'unreachable', 'the service did not answer');
  });
  if (!res.ok) throw await failure(res);
  return res;
}

/** GET /hours: the latest hour with data at or before `until` (null when none has any), and MAX_QUERY_HOURS. */
export async function hoursInfo(until: number, signal: AbortSignal): Promise<{ latest: number | null; max_query_hours: number }> {
  return (await get(`/hours?until=${until}`, signal)).json() as Promise<{ latest: number | null; max_query_hours: number }>;
}

/** One page of GET /flows. */
export async function flowsPage(url: string, signal: AbortSignal): Promise<Page> {
  const res = await get(url, signal);
  const next = /<([^>]*)>\s*;\s*rel="?next"?/.exec(res.headers.get('Link') ?? '')?.[1];
  return { rows: parseRows(await res.text()), next: next && new URL(next, res.url).href };
}

/** Every row of a read, following the Link header page after page. */
export async function allFlows(url: string, signal: AbortSignal): Promise<Row[]> {
  const rows: Row[] = [];
  for (let next: string | undefined = url; next; ) {
    const page: Page = await flowsPage(next, signal);
    rows.push(...page.rows);
    next = page.next;
  }
  return rows;
}
