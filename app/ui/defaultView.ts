import { currentHour, Hours, lastHours } from './hours';
import { latestHour } from './latestHour';
import { View } from './view';

/** Hours a bare URL shows. */
export const DEFAULT_HOURS = 24;

/** `span` hours ending with the latest hour with data. */
export async function latestHours(span: number, signal: AbortSignal): Promise<Hours> {
  const to = await latestHour(signal);
  return { from: Math.max(0, to - span + 1), to };
}

/**
 * What a bare URL shows: the last 24 hours, following the clock, when the latest hour with data is among
 * them (or none is found); else the 24 hours up to that hour, so that data that stopped still shows.
 */
export async function defaultHours(signal: AbortSignal): Promise<Pick<View, 'hours' | 'last'>> {
  const hours = await latestHours(DEFAULT_HOURS, signal);
  return hours.to > currentHour() - DEFAULT_HOURS ? { hours: lastHours(DEFAULT_HOURS), last: DEFAULT_HOURS } : { hours };
}
