import { hoursInfo } from './api';
import { currentHour } from './hours';

/**
 * One read, GET /hours: the latest hour with data up to the current one (the current hour if none has any),
 * and the most hours one read may span (MAX_QUERY_HOURS).
 */
export async function latestHour(signal: AbortSignal): Promise<{ latest: number; maxQueryHours: number }> {
  const now = currentHour();
  const { latest, max_query_hours: maxQueryHours } = await hoursInfo(now, signal);
  return { latest: latest ?? now, maxQueryHours };
}
