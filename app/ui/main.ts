import './console.css';
import { ApiError, readsExactly } from './api';
import { Chart } from './charts';
import { Controls } from './controls';
import { linkCsv } from './csv';
import { DataTable } from './dataTable';
import { defaultHours, latestHours } from './defaultView';
import { byId } from './dom';
import { Drill, drilled } from './drill';
import { Flows, loadFlows } from './flows';
import { elapsedSeconds, hourCount, hourLabel, lastHours, spanWords } from './hours';
import { renderReads } from './reads';
import { Refresh } from './refresh';
import { sankeyPicture, sankeyRows } from './sankeyPicture';
import { seriesPicture, seriesTable } from './seriesPicture';
import { Status } from './status';
import { describeHours, renderSummary } from './summary';
import { metricNames, renderTable } from './table';
import { tokenForm } from './token';
import { Field, FIELDS, Requested, View } from './view';
import { BadParameter, parseView, viewQuery } from './viewUrl';

const status = new Status();
const drill = (d: Drill) => navigate(drilled(controls.current, d));
const sankeyChart = new Chart(byId('sankey'), drill);
const seriesChart = new Chart(byId('series'), drill);
const sankeyData = new DataTable(byId<HTMLDetailsElement>('sankey-data'));
const seriesData = new DataTable(byId<HTMLDetailsElement>('series-data'));
const refresh = new Refresh();
const controls = new Controls(navigate, (span) => void show({ ...controls.current, hours: undefined, last: undefined }, { span }));

/** How many changes of this page's own lie behind the current entry of the history: Back undoes them. */
const depth = (): number => (history.state as { depth?: number } | null)?.depth ?? 0;
const back = byId<HTMLButtonElement>('back');
back.addEventListener('click', () => history.back());

/** Shows a view a person asked for, as a new entry of the history. */
function navigate(view: View): void {
  const search = `?${viewQuery(view)}`;
  if (search !== location.search) history.pushState({ depth: depth() + 1 }, '', search);
  void show(view);
}

/** The view in progress; a newer one aborts its reads. */
let loading: AbortController | undefined;
let retry: number | undefined;

function render(view: View, flows: Flows): void {
  const seconds = elapsedSeconds(view.hours, flows.at);
  renderSummary(view, flows, seconds);
  renderTable(byId<HTMLTableElement>('talkers'), view, flows.talkers, flows.totals, { seconds, previous: flows.previous }, {
    sort: (sort) => controls.change({ sort }),
    drill,
  });
  byId('more').hidden = !flows.more;
  linkCsv(byId<HTMLAnchorElement>('csv'), view, flows.talkers);
  sankeyChart.show((width) => sankeyPicture(flows.sankey, view.sort, seconds, width));
  const bytes = `${metricNames[view.sort]} bytes`;
  sankeyData.show(['Source app', 'Destination app', bytes, 'Average rate'], sankeyRows(flows.sankey, view.sort, seconds));
  seriesChart.show((width) => seriesPicture(view, flows, width));
  const series = seriesTable(view, flows);
  seriesData.show(series.head, series.rows);
  renderReads(byId('table-reads'), flows.reads.table);
  renderReads(byId('sankey-reads'), flows.sankey.reads);
  renderReads(byId('series-reads'), flows.reads.series);
  const seen = Object.fromEntries(FIELDS.map((f) => [f, new Set<string>()])) as Record<Field, Set<string>>;
  for (const row of [...flows.talkers, ...flows.sankey.sources, ...flows.sankey.destinations]) {
    for (const f of FIELDS) if (row[f]) seen[f].add(row[f]);
  }
  controls.suggest(seen);
}

interface ShowOptions {
  /** Hours up to the latest with data, instead of the default. */
  span?: number;
  /** A refresh: the view stays as it is until the new one is read. */
  quiet?: boolean;
}

/** The view's hours: as given, the last N up to now, or those a bare URL (or Latest, with a span) shows. */
async function resolve(requested: Requested, options: ShowOptions, signal: AbortSignal): Promise<View> {
  if (requested.last !== undefined) return { ...requested, hours: lastHours(requested.last) };
  if (requested.hours) return requested as View;
  const { span } = options;
  const view = { ...requested, ...(span ? { hours: await latestHours(span, signal) } : await defaultHours(signal)) };
  // Opening the bare page settles on hours; asking for the latest data is a step Back can undo.
  if (location.search) history.pushState({ depth: depth() + 1 }, '', `?${viewQuery(view)}`);
  else history.replaceState(history.state, '', `?${viewQuery(view)}`);
  return view;
}

/**
 * Shows a view, and again after its refresh interval. On a 503 or no answer it says so and tries again
 * after Retry-After. A refresh leaves the view as it is until the new one is read.
 */
async function show(requested: Requested, options: ShowOptions = {}): Promise<void> {
  loading?.abort();
  clearTimeout(retry);
  refresh.cancel();
  const attempt = new AbortController();
  loading = attempt;
  back.hidden = depth() === 0;
  if (!options.quiet) status.loading();
  let view: View | undefined;
  try {
    view = await resolve(requested, options, attempt.signal);
    if (!options.quiet) controls.show(view);
    const flows = await loadFlows(view, attempt.signal);
    controls.show(view);
    if (flows.perHour.length === 0) status.empty(describeHours(view));
    else {
      render(view, flows);
      status.ready(`Showing ${describe(view)}.`);
    }
    const shown = view;
    if (view.refresh) refresh.schedule(view.refresh, () => void show(shown, { quiet: true }));
  } catch (err) {
    if (attempt.signal.aborted) return;
    failed(err, requested, view, options);
  }
}

function describe(view: View): string {
  const filtered = FIELDS.some((f) => view.filters[f].length) ? ' matching the filters' : '';
  return `${describeHours(view)}${filtered}`;
}

function failed(err: unknown, requested: Requested, view: View | undefined, options: ShowOptions): void {
  if (!(err instanceof ApiError)) throw err;
  const max = err.code === 'range_too_long' ? err.details.maxHours : undefined;
  if (err.status === 503 || err.status === 0) {
    const seconds = err.details.retryAfter ?? 5;
    status.unavailable(err.code, seconds);
    retry = window.setTimeout(() => void show(requested, options), seconds * 1000);
  } else if (err.status === 401 || err.status === 403) {
    status.needsToken(tokenForm(err.status, () => void show(requested, options)));
  } else if (max && view) {
    tooManyHours(view, max);
  } else if (err.status === 400) {
    status.badParameter(err.details.parameter ?? 'unknown', err.message);
  } else {
    status.failed(err.message);
  }
}

/** Hours past the service's MAX_QUERY_HOURS: said in hours and times, with the views it can show instead. */
function tooManyHours(view: View, max: number): void {
  const { from, to } = view.hours;
  const href = (part: Partial<View>) => `?${viewQuery({ ...view, ...part })}`;
  const offers =
    view.last !== undefined
      ? [{ href: href({ last: max }), text: `Show the last ${spanWords(max)}` }]
      : [
          { href: href({ hours: { from: to - max + 1, to } }), text: `Show the last ${spanWords(max)} of them, up to ${hourLabel(to + 1)} UTC` },
          { href: href({ hours: { from, to: from + max - 1 } }), text: `Show the first ${spanWords(max)}, from ${hourLabel(from)} UTC` },
        ];
  status.tooManyHours(
    `${hourCount(view.hours).toLocaleString('en-US')} hours are more than the service reads at once.`,
    `It reads at most ${max.toLocaleString('en-US')} hours (${spanWords(max)}, its MAX_QUERY_HOURS); these are ${describeHours(view)}.`,
    offers,
  );
}

/** Shows the view the URL names. */
function fromUrl(): void {
  try {
    void show(parseView(new URLSearchParams(location.search)));
  } catch (err) {
    if (!(err instanceof BadParameter)) throw err;
    loading?.abort();
    clearTimeout(retry);
    refresh.cancel();
    status.badParameter(err.parameter, err.message);
  }
}

if (readsExactly) {
  addEventListener('popstate', fromUrl);
  fromUrl();
} else {
  status.failed('This browser cannot read totals past 2^53 exactly: use Chrome or Edge 114, Firefox 135, Safari 18.4 or later.');
}
