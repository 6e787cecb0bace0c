import { currentHour, Hours, lastHours } from './hours';
import { latestHour } from './latestHour';
import { View } from './view';

/** Hours a bare URL shows. */
export const DEFAULT_HOURS = 24;

/** `span` hours ending with the latest hour with data, or fewer if the server reads fewer at once. */
export async function latestHours(span: number, signal: AbortSignal): Promise<Hours> {
  const { latest, maxQueryHours } = await latestHour(signal);
  return { from: Math.max(0, latest - Math.min(span, maxQueryHours) + 1), to: latest };
}

/**
 * What a bare URL shows: the last 24 hours (or as many as the server reads at once), following the clock,
 * when the latest hour with data is among them (or none has any); else as many hours up to that hour, so that
 * data that stopped still shows.
 */
export async function defaultHours(signal: AbortSignal): Promise<Pick<View, 'hours' | 'last'>> {
  const { latest, maxQueryHours } = await latestHour(signal);
  const span = Math.min(DEFAULT_HOURS, maxQueryHours);
  if (latest > currentHour() - span) return { hours: lastHours(span), last: span };
  return { hours: { from: Math.max(0, latest - span + 1), to: latest } };
}
