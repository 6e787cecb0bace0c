import { FlowRecord, RecordProblem } from './flow';

const HOUR_MS = 3_600_000;
const SECONDS_PER_HOUR = 3600;
const HOURS_PER_YEAR = 8766;

/** Hours count from the Unix epoch, in UTC: hour N starts N × 3600 s after 1970-01-01T00:00:00Z. */
export function hourAt(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS);
}

/** The oldest hour kept when `retentionHours` hours are kept before the current one. */
export function oldestKeptHour(retentionHours: number, epochMs: number): number {
  return hourAt(epochMs) - retentionHours;
}

/** How far from the current UTC hour a record's hour may be; 0 turns a side's bound off. */
export interface HourLimits {
  /** Hours kept before the current one (RETENTION_HOURS). */
  retentionHours: number;
  /** Hours after the current one a record may carry (MAX_FUTURE_HOURS), for agents whose clocks run ahead. */
  maxFutureHours: number;
}

/** An hour past the window that, read as seconds since the epoch, is within a year of now: a unit mistaken. */
function looksLikeSeconds(hour: number, currentHour: number): boolean {
  return Math.abs(Math.floor(hour / SECONDS_PER_HOUR) - currentHour) <= HOURS_PER_YEAR;
}

/**
 * The first record of a batch whose hour is outside the accepted window of hours: older than retention keeps
 * (it would be deleted at once) or further ahead of the current hour than clock skew explains (it would never
 * be swept, nor found by the console).
 */
export function findHourOutsideWindow(
  records: readonly Pick<FlowRecord, 'hour'>[],
  { retentionHours, maxFutureHours }: HourLimits,
  epochMs: number,
): RecordProblem | undefined {
  const current = hourAt(epochMs);
  const oldest = retentionHours === 0 ? 0 : oldestKeptHour(retentionHours, epochMs);
  const newest = maxFutureHours === 0 ? Infinity : current + maxFutureHours;
  const index = records.findIndex((r) => r.hour < oldest || r.hour > newest);
  if (index < 0) return undefined;
  const { hour } = records[index];
  const problem = (text: string) => ({ index, field: 'hour', message: `record ${index}: hour ${hour} ${text}` });
  if (hour < oldest) {
    return problem(`is past the retention of ${retentionHours} hours (RETENTION_HOURS): the oldest hour kept is ${oldest}`);
  }
  if (looksLikeSeconds(hour, current)) {
    return problem(
      `looks like seconds since the epoch: hour counts hours since the epoch, seconds / 3600 rounded down ` +
        `(the current hour is ${current})`,
    );
  }
  return problem(
    `is more than ${maxFutureHours} hours after the current UTC hour, ${current} (MAX_FUTURE_HOURS): ` +
      `the newest hour accepted is ${newest}`,
  );
}
