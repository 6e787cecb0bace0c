import { FlowRecord, RecordProblem } from './flow';

const HOUR_MS = 3_600_000;

/** Hours count from the Unix epoch, in UTC: hour N starts N × 3600 s after 1970-01-01T00:00:00Z. */
export function hourAt(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS);
}

/** The oldest hour kept when `retentionHours` hours are kept before the current one. */
export function oldestKeptHour(retentionHours: number, epochMs: number): number {
  return hourAt(epochMs) - retentionHours;
}

/** The first record of a batch for an hour past retention; none when retention is off (0 hours). */
export function findExpiredRecord(
  records: readonly FlowRecord[],
  retentionHours: number,
  epochMs: number,
): RecordProblem | undefined {
  if (retentionHours === 0) return undefined;
  const oldestHour = oldestKeptHour(retentionHours, epochMs);
  const index = records.findIndex((r) => r.hour < oldestHour);
  if (index < 0) return undefined;
  return {
    index,
    field: 'hour',
    message:
      `record ${index}: hour ${records[index].hour} is past the retention of ${retentionHours} hours ` +
      `(RETENTION_HOURS): the oldest hour kept is ${oldestHour}`,
  };
}
