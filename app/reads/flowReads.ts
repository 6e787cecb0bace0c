import { Readable } from 'node:stream';
import { FlowCollections } from '../storage/flowCollections';
import { RollupCoverage } from '../storage/rollupCoverage';
import { hourTotalsJson } from './hourTotalsJson';
import { latestHour } from './latestHour';
import { planRead, ReadPlan } from './readPlan';
import { PageRequest } from './readRequest';
import { TotalsPage, totalsPage } from './totalsPage';
import { TotalsQuery } from './totalsQuery';

export interface FlowReadsOptions {
  /** A read gets its rows within it, or fails; also MongoDB's maxTimeMS for it. */
  queryTimeoutMs: number;
  /** The oldest hour retention keeps, now (0 without retention). */
  oldestKept: () => number;
}

/** Every read FAS answers, each from the cheapest documents that answer it exactly. */
export class FlowReads {
  constructor(
    private readonly collections: FlowCollections,
    private readonly coverage: RollupCoverage,
    private readonly options: FlowReadsOptions,
  ) {}

  /** Every key of one hour, in key order, streamed: the original read. */
  hour(hour: number): Promise<Readable> {
    return hourTotalsJson(this.collections.keys, hour, this.options.queryTimeoutMs);
  }

  /** Where the read's rows come from: the coarsest roll-up that answers it, or the key documents. */
  async plan(query: Pick<TotalsQuery, 'from' | 'to' | 'filters' | 'by'>): Promise<ReadPlan> {
    return planRead(query, { coveredFrom: await this.coverage.firstHour(), oldestKept: this.options.oldestKept() });
  }

  /** One page of a read, from the plan's documents (by default, the planner's choice). */
  async page(request: PageRequest, plan?: ReadPlan): Promise<TotalsPage> {
    const source = plan ?? (await this.plan(request.query));
    return totalsPage(this.collections.of(source.rollup), request, source, this.options.queryTimeoutMs);
  }

  /** The latest hour at or before `until` that holds data; undefined when none does. */
  async latestHour(until: number): Promise<number | undefined> {
    return latestHour(this.collections.totals, await this.coverage.firstHour(), until, this.options.queryTimeoutMs);
  }
}
