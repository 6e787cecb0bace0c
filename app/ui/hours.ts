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

/** "1970-01-01T01:00", the value of a datetime-local input read as UTC; empty past year 9999, which it cannot hold. */
export function hourToInput(hour: number): string {
  const iso = new Date(hour * HOUR_MS).toISOString();
  return iso.startsWith('+') ? '' : iso.slice(0, 16);
}

/** The hour a datetime-local input's value falls in, read as UTC. */
export function inputToHour(value: string): number | undefined {
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) || ms < 0 ? undefined : Math.min(Math.floor(ms / HOUR_MS), MAX_HOUR);
}

/** "1970-01-01 01:00" (UTC). */
export function hourLabel(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** The hours in words, UTC times and hour numbers both: "1970-01-01 01:00–02:00 UTC (hour 1)". */
export function hoursLabel(hours: Hours): string {
  const end = hourLabel(hours.to + 1);
  if (hours.from === hours.to) return `${hourLabel(hours.from)}–${end.slice(11)} UTC (hour ${hours.from})`;
  return `${hourLabel(hours.from)} to ${end} UTC (hours ${hours.from}–${hours.to}, ${hourCount(hours)} hours)`;
}
