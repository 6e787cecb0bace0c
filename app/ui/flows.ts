import { allFlows, flowsPage, flowsQuery, Row } from './api';
import { hourCount } from './hours';
import { loadPrevious, PreviousFlows } from './previousFlows';
import { Read } from './reads';
import { loadSankey, SankeyFlows } from './sankeyFlows';
import { loadSplit, SplitFlows } from './splitFlows';
import { sum, Totals } from './totals';
import { LIMITS, View } from './view';

/** What a view shows, read from the API. */
export interface Flows {
  /** Totals of every selected flow, per hour that has data, in hour order. */
  perHour: Row[];
  /** Totals of every selected flow. */
  totals: Totals;
  /** The table's rows, and whether the API has more. */
  talkers: Row[];
  more: boolean;
  sankey: SankeyFlows;
  split?: SplitFlows;
  previous?: PreviousFlows;
  /** When the reads were answered (ms since the epoch): the end of the time a rate divides by. */
  at: number;
  /** The API reads behind the table and the over-time chart (the Sankey diagram's are its own). */
  reads: { table: Read[]; series: Read[] };
}

/** Every read of a view, at once where one does not need another's answer. */
export async function loadFlows(view: View, signal: AbortSignal): Promise<Flows> {
  const query = (extra: Record<string, string>) => flowsQuery(view.hours, view.filters, extra);
  const perHourRead = query({ by: 'hour', limit: String(Math.min(hourCount(view.hours), LIMITS.rows)) });
  const talkersRead = query({ by: view.by.join(','), sort: view.sort, limit: String(view.rows) });
  const perHour = allFlows(perHourRead, signal);
  const totals = perHour.then(sum);
  // A failed read is reported once, by Promise.all; the Sankey's reads may fail before they need the totals.
  totals.catch(() => undefined);
  const talkers = flowsPage(talkersRead, signal);
  const [hours, table, sankey, split, previous] = await Promise.all([
    perHour,
    talkers,
    loadSankey(view, totals, signal),
    view.split && loadSplit(view, view.split, signal),
    view.compare ? talkers.then((page) => loadPrevious(view, page.rows, signal)) : undefined,
  ]);
  return {
    perHour: hours,
    totals: sum(hours),
    talkers: table.rows,
    more: table.next !== undefined,
    sankey,
    split,
    previous,
    at: Date.now(),
    reads: {
      table: [{ name: 'rows', url: talkersRead }, ...(previous?.reads ?? [])],
      series: [{ name: 'per hour', url: perHourRead }, ...(split?.reads ?? [])],
    },
  };
}
