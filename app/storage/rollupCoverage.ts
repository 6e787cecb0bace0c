import { Collection } from 'mongodb';
import { hourAt } from '../data/retention';
import { FlowTotalsDocument } from '../query/flows';
import { DUPLICATE_KEY } from './updateCommand';

/** Roll-ups hold every record of every hour from `since` on; reads of earlier hours use the key documents. */
export interface CoverageDocument {
  _id: 'rollups';
  since: number;
}

const ID = 'rollups' as const;
/**
 * Records the first hour the roll-ups cover, unless one is recorded already: the first record wins, so
 * running it again, or from several processes, changes nothing. Resolves with the hour recorded.
 */
export async function recordCoverage(collection: Collection<CoverageDocument>, since: number): Promise<number> {
  const record = () =>
    collection.findOneAndUpdate({ _id: ID }, { $setOnInsert: { since } }, { upsert: true, returnDocument: 'after' });
  // Two first records at once race on the _id: the loser finds the winner's.
  const doc = await record().catch((err: { code?: number }) => {
    if (err.code === DUPLICATE_KEY) return record();
    throw err;
  });
  return doc?.since ?? since;
}

/**
 * The first hour the roll-ups cover, as recorded: once known it never changes, so it is kept; while none is
 * recorded, it is looked up again at most every `recheckMs`.
 */
export class RollupCoverage {
  private since?: number;
  private checkedAt = -Infinity;

  constructor(
    private readonly collection: Collection<CoverageDocument>,
    private readonly recheckMs: number,
  ) {}

  async firstHour(): Promise<number | undefined> {
    if (this.since === undefined && performance.now() - this.checkedAt >= this.recheckMs) {
      this.checkedAt = performance.now();
      this.since = (await this.collection.findOne({ _id: ID }))?.since;
    }
    return this.since;
  }
}

/**
 * The first hour no record written so far can be in: after the current hour and after every hour of the key
 * documents. Once every writer keeps the roll-ups, they hold every record of it and of every later hour.
 */
export async function firstUnwrittenHour(keys: Collection<FlowTotalsDocument>, epochMs: number): Promise<number> {
  const [latest] = await keys.find({}, { projection: { _id: 0, hour: 1 }, sort: { hour: -1 }, limit: 1 }).toArray();
  return Math.max(hourAt(epochMs), latest?.hour ?? 0) + 1;
}
