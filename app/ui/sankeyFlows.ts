import { flowsPage, flowsQuery, Row } from './api';
import { narrowedRows } from './narrowed';
import { named, Read } from './reads';
import { minus, sum, Totals } from './totals';
import { LIMITS, View } from './view';

type Side = 'src_app' | 'dest_app';

/** A link of the Sankey diagram: a source and a destination, either missing where it stands for "other". */
export type Link = Totals & { src_app?: string; dest_app?: string };

/** What the Sankey diagram draws, exact: every byte of the selection on exactly one link. */
export interface SankeyFlows {
  /** The top sources and destinations, largest first, with their totals. */
  sources: Row[];
  destinations: Row[];
  links: Link[];
  reads: Read[];
}

/**
 * The top sources and the top destinations, then every pair among them; the rest of each top source goes
 * to "other", each top destination gets the rest from "other", and "other" → "other" is what is left. So a
 * side is "other" only where its app is not among the top, and every total is exact.
 */
export async function loadSankey(view: View, totals: Promise<Totals>, signal: AbortSignal): Promise<SankeyFlows> {
  const topRead = (side: Side) => flowsQuery(view.hours, view.filters, { by: side, sort: view.sort, limit: String(view.top) });
  const reads = [topRead('src_app'), topRead('dest_app')];
  const [sources, destinations] = (await Promise.all(reads.map((read) => flowsPage(read, signal)))).map((page) => page.rows);
  const names = (rows: Row[], side: Side) => rows.map((row) => row[side] ?? '');
  const narrowed = { src_app: names(sources, 'src_app'), dest_app: names(destinations, 'dest_app') };
  const limit = String(Math.min(LIMITS.rows, Math.max(1, sources.length * destinations.length)));
  const among = await narrowedRows(view.hours, view.filters, narrowed, { by: 'src_app,dest_app', limit }, signal);

  const rest = (tops: Row[], side: Side): Link[] =>
    tops.map((top) => ({ [side]: top[side], ...minus(top, sum(among.rows.filter((pair) => pair[side] === top[side]))) }));
  // Pairs among the tops are in both a top source's total and a top destination's.
  const others = minus(sum([await totals, ...among.rows]), sum([...sources, ...destinations]));
  return {
    sources,
    destinations,
    links: [...among.rows, ...rest(sources, 'src_app'), ...rest(destinations, 'dest_app'), others],
    reads: [...named('top sources', [reads[0]]), ...named('top destinations', [reads[1]]), ...named('pairs among them', among.reads)],
  };
}
