import './console.css';
import { ApiError, readsExactly } from './api';
import { Chart } from './charts';
import { Controls } from './controls';
import { byId } from './dom';
import { Flows, loadFlows } from './flows';
import { hoursLabel } from './hours';
import { latestHour } from './latestHour';
import { sankey, timeSeries } from './pictures';
import { Status } from './status';
import { renderTable } from './table';
import { tokenForm } from './token';
import { renderTotals } from './totals';
import { BadParameter, Field, FIELDS, parseView, Requested, View, viewQuery } from './view';

const status = new Status();
const sankeyChart = new Chart(byId('sankey'));
const seriesChart = new Chart(byId('series'));
const controls = new Controls(
  (view) => {
    const search = `?${viewQuery(view)}`;
    if (search !== location.search) history.pushState(null, '', search);
    void show(view);
  },
  (span) => void show({ ...controls.current, hours: undefined }, span),
);

/** The view in progress; a newer one aborts its reads. */
let loading: AbortController | undefined;
let retry: number | undefined;

function render(view: View, flows: Flows): void {
  renderTotals(view, flows.totals);
  renderTable(byId<HTMLTableElement>('talkers'), view, flows.talkers, flows.totals, (sort) => controls.change({ sort }));
  byId('more').hidden = !flows.more;
  const s = sankey(flows.pairs, flows.totals, view.sort);
  sankeyChart.show(s.option, s.label);
  const t = timeSeries(view.hours, flows.perHour);
  seriesChart.show(t.option, t.label);
  const seen = Object.fromEntries(FIELDS.map((f) => [f, new Set<string>()])) as Record<Field, Set<string>>;
  for (const row of [...flows.talkers, ...flows.pairs]) for (const f of FIELDS) if (row[f]) seen[f].add(row[f]);
  controls.suggest(seen);
}

/**
 * Shows a view. Without hours it shows the latest hour with data (span hours ending there) and writes
 * them into the URL. On a 503 or no answer it says so and tries again after Retry-After.
 */
async function show(requested: Requested, span = 1): Promise<void> {
  loading?.abort();
  clearTimeout(retry);
  const attempt = new AbortController();
  loading = attempt;
  status.loading();
  try {
    let view: View;
    if (requested.hours) view = requested as View;
    else {
      const to = await latestHour(attempt.signal);
      view = { ...requested, hours: { from: Math.max(0, to - span + 1), to } };
      // Opening the bare page settles on an hour; asking for the latest one is a step Back can undo.
      history[location.search ? 'pushState' : 'replaceState'](null, '', `?${viewQuery(view)}`);
    }
    controls.show(view);
    const flows = await loadFlows(view, attempt.signal);
    if (flows.perHour.length === 0) return status.empty(describe(view));
    render(view, flows);
    status.ready(`Showing ${describe(view)}.`);
  } catch (err) {
    if (attempt.signal.aborted) return;
    failed(err, requested, span);
  }
}

function describe(view: View): string {
  const filtered = FIELDS.some((f) => view.filters[f].length) ? ' matching the filters' : '';
  return `${hoursLabel(view.hours)}${filtered}`;
}

function failed(err: unknown, requested: Requested, span: number): void {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 503 || err.status === 0) {
    const seconds = err.details.retryAfter ?? 5;
    status.unavailable(err.code, seconds);
    retry = window.setTimeout(() => void show(requested, span), seconds * 1000);
  } else if (err.status === 401 || err.status === 403) {
    status.needsToken(tokenForm(err.status, () => void show(requested, span)));
  } else if (err.status === 400) {
    status.badParameter(err.details.parameter ?? 'unknown', err.message);
  } else {
    status.failed(err.message);
  }
}

/** Shows the view the URL names. */
function fromUrl(): void {
  try {
    void show(parseView(new URLSearchParams(location.search)));
  } catch (err) {
    if (!(err instanceof BadParameter)) throw err;
    loading?.abort();
    clearTimeout(retry);
    status.badParameter(err.parameter, err.message);
  }
}

if (readsExactly) {
  addEventListener('popstate', fromUrl);
  fromUrl();
} else {
  status.failed('This browser cannot read totals past 2^53 exactly: use Chrome or Edge 114, Firefox 135, Safari 18.4 or later.');
}
