import { ApiError, flowsPage } from './api';
import { currentHour } from './hours';

/** The API's default MAX_QUERY_HOURS: the longest look-back window unless the server says less. */
const MAX_WINDOW = 744;
/** How far back the look-back goes before the epoch's first window: a year. */
const LOOK_BACK_HOURS = 24 * 365;

/** Whether the hour has a row: one key, read in key order from the index. */
async function hasData(hour: number, signal: AbortSignal): Promise<boolean> {
  return (await flowsPage(`/flows?hour=${hour}&limit=1`, signal)).rows.length > 0;
}

/** The last hour with data in from..to: the rows are the hours that have any, in order. */
async function lastIn(from: number, to: number, signal: AbortSignal): Promise<number | undefined> {
  const { rows } = await flowsPage(`/flows?from=${from}&to=${to}&by=hour&limit=${to - from + 1}`, signal);
  return rows.at(-1)?.hour;
}

/**
 * Back from the hour before `end` in windows that double from 3 hours up to maxWindow, for a year, then
 * the epoch's first window. A grouped read costs every document of its window, so the window that finds
 * data is about as long as the time since the data stopped.
 */
async function lookBack(end: number, maxWindow: number, signal: AbortSignal): Promise<number | undefined> {
  let to = end - 1;
  for (let size = Math.min(3, maxWindow); to >= 0 && end - to <= LOOK_BACK_HOURS; size = Math.min(2 * size, maxWindow)) {
    const from = Math.max(0, to - size + 1);
    const last = await lastIn(from, to, signal);
    if (last !== undefined) return last;
    to = from - 1;
  }
  return to >= 0 ? lastIn(0, Math.min(maxWindow - 1, to), signal) : undefined;
}

/**
 * The latest hour with data, or the current hour if none is found. Where data flows it costs three
 * one-key reads: the current hour and the two before it. See "The default hour" in the README.
 */
export async function latestHour(signal: AbortSignal): Promise<number> {
  const now = currentHour();
  const recent = [now, now - 1, now - 2];
  const found = await Promise.all(recent.map((hour) => hasData(hour, signal)));
  const hit = recent.find((_, i) => found[i]);
  if (hit !== undefined) return hit;
  for (let window = MAX_WINDOW; ; ) {
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
