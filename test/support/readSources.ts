import { CommandStartedEvent, Document } from 'mongodb';
import { Dimension, NameField } from '../../app/api/constants';
import { DOCUMENTED_ROLLUPS } from './rollupDocuments';
import { RunningService } from './service';

/** Where one aggregate read its documents: the collection, the roll-up, and whether it read day documents. */
export interface SourceRead {
  collection: string;
  rollup?: string;
  days: boolean;
}

/** The aggregates the service sends, as it sends them (command monitoring on its own client). */
export function watchReads(service: RunningService): { reads: SourceRead[]; stop(): void } {
  const reads: SourceRead[] = [];
  const listener = ({ commandName, command }: CommandStartedEvent) => {
    if (commandName !== 'aggregate') return;
    const match = (command.pipeline as Document[])[0].$match as Document;
    const branches = (match.$or as Document[] | undefined) ?? [match];
    const rollup = branches[0].rollup as string | undefined;
    reads.push({ collection: command.aggregate as string, ...(rollup && { rollup }), days: branches.some((b) => b.hours === 24) });
  };
  service.connection.client.on('commandStarted', listener);
  return { reads, stop: () => service.connection.client.off('commandStarted', listener) };
}

/** Coarsest first. */
const ROLLUPS = [...DOCUMENTED_ROLLUPS].sort((a, b) => a.names.length - b.names.length);

/**
 * Where a read must be answered from, by the documented rule, independently of the service's planner: the
 * coarsest roll-up keeping every name grouped or filtered by, when the roll-ups cover the range; its days
 * when it keeps days, the read spans a whole day and does not group by hour.
 */
export function expectedSource(
  collection: string,
  read: { by: readonly Dimension[]; filters?: Partial<Record<NameField, string[]>> },
  { covered, wholeDay }: { covered: boolean; wholeDay: boolean },
): SourceRead {
  const names = new Set([...read.by.filter((d) => d !== 'hour'), ...Object.keys(read.filters ?? {})]);
  const rollup = ROLLUPS.find((r) => [...names].every((n) => (r.names as readonly string[]).includes(n)));
  if (!covered || !rollup) return { collection, days: false };
  return { collection: `${collection}.rollups`, rollup: rollup.name, days: rollup.days && wholeDay && !read.by.includes('hour') };
}
