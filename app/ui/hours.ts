import { MAX_HOUR } from '../api/constants';

export { MAX_HOUR };

/** Hours as the API counts them: hour N starts N hours after the Unix epoch, in UTC. */
export interface Hours {
  from: number;
  to: number;
}

const HOUR_MS = 3_600_000;

export const currentHour = (): number => Math.floor(Date.now() / HOUR_MS);

export const hourCount = ({ from, to }: Hours): number => to - from + 1;

/** The last `count` hours, the current one included: a range that follows the clock. */
export function lastHours(count: number, now = currentHour()): Hours {
  return { from: Math.max(0, now - count + 1), to: now };
}

/** "24 hours", "7 days", "hour". */
export function spanWords(hours: number): string {
  if (hours === 1) return 'hour';
  return hours % 24 === 0 && hours > 24 ? `${hours / 24} days` : `${hours} hours`;
}

/** "1970-01-01 01:00" (UTC). */
export function hourLabel(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The instant a typed UTC time names, in ms: "2026-12-01 20:00", with a T or a space, minutes and a
 * trailing "UTC" or "Z" optional. Undefined for anything else or before the epoch.
 */
export function parseTime(text: string): number | undefined {
  const match = /^\s*(\d{4}-\d\d-\d\d)(?:[T ](\d\d)(?::(\d\d))?)?\s*(?:Z|UTC)?\s*$/i.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2] ?? '00'}:${match[3] ?? '00'}Z`);
  return Number.isNaN(ms) || ms < 0 ? undefined : ms;
}

/** The hour a typed start time falls in. */
export const startHour = (ms: number): number => Math.min(Math.floor(ms / HOUR_MS), MAX_HOUR);

/** The last hour before a typed end time: a range that ends at 21:00 holds the hour from 20:00. */
export const endHour = (ms: number): number => Math.min(Math.max(Math.ceil(ms / HOUR_MS) - 1, 0), MAX_HOUR);

/** The hours in words, UTC times and hour numbers both: "1970-01-01 01:00–02:00 UTC (hour 1)". */
export function hoursLabel(hours: Hours): string {
  const end = hourLabel(hours.to + 1);
  if (hours.from === hours.to) return `${hourLabel(hours.from)}–${end.slice(11)} UTC (hour ${hours.from})`;
  return `${hourLabel(hours.from)} to ${end} UTC (hours ${hours.from}–${hours.to}, ${hourCount(hours)} hours)`;
}

/**
 * The seconds of the hours that had passed at `at` (ms since the epoch): whole hours before the current one,
 * the current one as far as it had gone, nothing of hours to come. What an average rate divides by.
 */
export function elapsedSeconds(hours: Hours, at: number): number {
  const start = hours.from * HOUR_MS;
  const end = Math.min((hours.to + 1) * HOUR_MS, at);
  return Math.max(0, (end - start) / 1000);
}

/** The current hour, when the hours hold it, and the seconds of it gone at `at`: its totals are still growing. */
export function partialHour(hours: Hours, at: number): { hour: number; seconds: number } | undefined {
  const hour = Math.floor(at / HOUR_MS);
  if (hour < hours.from || hour > hours.to) return undefined;
  return { hour, seconds: (at - hour * HOUR_MS) / 1000 };
}
