import { hoursInfo } from './api';
import { currentHour } from './hours';

/** The latest hour with data up to the current one, or the current hour if none has any: one read (GET /hours). */
export async function latestHour(signal: AbortSignal): Promise<number> {
  const now = currentHour();
  return (await hoursInfo(now, signal)).latest ?? now;
}
