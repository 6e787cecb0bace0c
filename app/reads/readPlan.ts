import { NameField } from '../api/constants';
import { HOURS_PER_DAY, Rollup, ROLLUPS } from '../query/rollups';
import { TotalsQuery } from './totalsQuery';

/** Hours from..to, both included. */
export interface HourRange {
  from: number;
  to: number;
}

/**
 * Where a read's rows come from: the key documents (no roll-up), or one roll-up's documents, of whole days
 * (first hours `days.from` to `days.to`) and of single hours (`hours`).
 */
export interface ReadPlan {
  rollup?: Rollup;
  days?: HourRange;
  hours: HourRange[];
}

/** What the planner must know besides the read: which hours the roll-ups cover, and which are kept. */
export interface PlanContext {
  /** The first hour the roll-ups hold every record of; undefined while they cover none. */
  coveredFrom?: number;
  /** The oldest hour kept by retention (0 with none). */
  oldestKept: number;
}

/** The key documents: they answer every read. */
export function keyDocumentsPlan({ from, to }: HourRange): ReadPlan {
  return { hours: [{ from, to }] };
}

const dayOf = (hour: number) => hour - (hour % HOURS_PER_DAY);

/** Coarsest first: fewer names kept, fewer documents an hour. */
const COARSEST_FIRST = [...ROLLUPS].sort((a, b) => a.fields.length - b.fields.length);

/**
 * The cheapest source that answers a read exactly: the coarsest roll-up that keeps every name the read groups
 * or filters by, when the roll-ups cover all of its hours; whole days from its day documents when it keeps
 * days and the read does not group by hour, the hours around them from its hour documents. A day is read
 * whole only when retention keeps all of it, with an hour to spare for replicas' clocks: sweeps delete a
 * day's document with its first hour. Anything else is read from the key documents.
 */
export function planRead(query: Pick<TotalsQuery, 'from' | 'to' | 'filters' | 'by'>, context: PlanContext): ReadPlan {
  const { from, to } = query;
  const names = new Set<string>([...query.by.filter((d) => d !== 'hour'), ...Object.keys(query.filters)]);
  const rollup = COARSEST_FIRST.find((r) => [...names].every((name) => r.fields.includes(name as NameField)));
  if (!rollup || context.coveredFrom === undefined || from < context.coveredFrom) return keyDocumentsPlan(query);
  if (!rollup.spans.includes(HOURS_PER_DAY) || query.by.includes('hour')) return { rollup, hours: [{ from, to }] };
  const firstDay = dayOf(Math.max(from, context.oldestKept + 1) + HOURS_PER_DAY - 1);
  const lastDay = dayOf(to + 1) - HOURS_PER_DAY;
  if (firstDay > lastDay) return { rollup, hours: [{ from, to }] };
  const hours: HourRange[] = [];
  if (from < firstDay) hours.push({ from, to: firstDay - 1 });
  if (lastDay + HOURS_PER_DAY <= to) hours.push({ from: lastDay + HOURS_PER_DAY, to });
  return { rollup, days: { from: firstDay, to: lastDay }, hours };
}
