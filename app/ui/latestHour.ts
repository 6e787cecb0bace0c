import { ApiError, flowsPage } from './api';
import { currentHour } from './hours';

/** Hours of one look-back query: the API's default MAX_QUERY_HOURS (31 days). */
const WINDOW = 744;
/** Look-back queries before giving up: a year. */
const WINDOWS = 12;

async function hasData(hour: number, signal: AbortSignal): Promise<boolean> {
  return (await flowsPage(`/flows?hour=${hour}&by=hour&limit=1`, signal)).rows.length > 0;
}

/** The last hour with data in from..to: the rows are the hours that have any, in order. */
async function lastIn(from: number, to: number, signal: AbortSignal): Promise<number | undefined> {
  const { rows } = await flowsPage(`/flows?from=${from}&to=${to}&by=hour&limit=${to - from + 1}`, signal);
  return rows.at(-1)?.hour;
}

/** Back from the hour before `end`, a window at a time for a year, then the epoch's first window. */
async function lookBack(end: number, window: number, signal: AbortSignal): Promise<number | undefined> {
  let to = end - 1;
  for (let n = 0; n < WINDOWS && to >= 0; n += 1, to -= window) {
    const last = await lastIn(Math.max(0, to - window + 1), to, signal);
    if (last !== undefined) return last;
  }
  return to >= 0 ? lastIn(0, Math.min(window - 1, to), signal) : undefined;
}

/**
 * The latest hour with data, or the current hour if none is found. Cheap where data flows: the current
 * hour and the two before it, one row each. Only when all three are empty does it look back (see
 * "The default hour" in the README).
 */
export async function latestHour(signal: AbortSignal): Promise<number> {
  const now = currentHour();
  const recent = [now, now - 1, now - 2];
  const found = await Promise.all(recent.map((hour) => hasData(hour, signal)));
  const hit = recent.find((_, i) => found[i]);
  if (hit !== undefined) return hit;
  for (let window = WINDOW; ; ) {
    try {
      return (await lookBack(now - 2, window, signal)) ?? now;
    } catch (err) {
      // A server with a shorter MAX_QUERY_HOURS names its limit: look back with that instead.
      const max = err instanceof ApiError ? err.details.maxHours : undefined;
      if (!max || max >= window) throw err;
      window = max;
    }
  }
}
