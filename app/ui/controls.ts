import { byId, el } from './dom';
import { Filters } from './filters';
import { endHour, hourCount, hourLabel, MAX_HOUR, parseTime, startHour } from './hours';
import { Field, FIELDS, LIMITS, Metric, View } from './view';

const ROWS_STEP = 25;

type End = 'from' | 'to';

/** The hour an input names: a number, or a UTC time (the start of the range, or its end). */
function hourOf(input: HTMLInputElement, end: End): number | undefined {
  if (input.type === 'number') {
    const hour = /^\d{1,10}$/.test(input.value) ? Number(input.value) : NaN;
    return hour <= MAX_HOUR ? hour : undefined;
  }
  const ms = parseTime(input.value);
  if (ms === undefined) return undefined;
  return end === 'from' ? startHour(ms) : endHour(ms);
}

/**
 * The console's inputs. They show a view, and each change a person makes becomes a new view, handed to
 * onChange; `latest` asks for the latest hour with data, keeping the range's length.
 */
export class Controls {
  private view?: View;
  private readonly time = { from: byId<HTMLInputElement>('from-time'), to: byId<HTMLInputElement>('to-time') };
  private readonly hour = { from: byId<HTMLInputElement>('from-hour'), to: byId<HTMLInputElement>('to-hour') };
  private readonly filters = new Filters(byId('filters'), (filters) => this.change({ filters }));
  private readonly selects = {
    top: byId<HTMLSelectElement>('top'),
    refresh: byId<HTMLSelectElement>('refresh'),
    split: byId<HTMLSelectElement>('split'),
    sort: byId<HTMLSelectElement>('sort'),
  };
  private readonly boxes = { exact: byId<HTMLInputElement>('exact'), compare: byId<HTMLInputElement>('compare') };

  constructor(
    private readonly onChange: (view: View) => void,
    latest: (span: number) => void,
  ) {
    byId('hours').addEventListener('submit', (event) => event.preventDefault());
    for (const end of ['from', 'to'] as const) {
      for (const input of [this.time[end], this.hour[end]]) {
        input.addEventListener('change', () => this.setEnd(end, hourOf(input, end)));
      }
    }
    const shift = (direction: number) => {
      const { from, to } = this.hours;
      const step = hourCount(this.hours) * direction;
      if (from + step >= 0 && to + step <= MAX_HOUR) this.change({ hours: { from: from + step, to: to + step }, last: undefined });
    };
    byId('earlier').addEventListener('click', () => shift(-1));
    byId('later').addEventListener('click', () => shift(1));
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-last]')) {
      button.addEventListener('click', () => this.change({ last: Number(button.dataset.last) }));
    }
    byId('latest').addEventListener('click', () => latest(hourCount(this.hours)));

    for (const box of document.querySelectorAll<HTMLInputElement>('#group-by input')) {
      box.addEventListener('change', () => {
        const by = FIELDS.filter((f) => document.querySelector<HTMLInputElement>(`#group-by [value=${f}]`)?.checked);
        if (by.length) this.change({ by });
        else box.checked = true; // the table needs one field at least
      });
    }
    const { exact, compare } = this.boxes;
    exact.addEventListener('change', () => this.change({ exact: exact.checked }));
    compare.addEventListener('change', () => this.change({ compare: compare.checked }));
    const { top, refresh, split, sort } = this.selects;
    top.addEventListener('change', () => this.change({ top: Number(top.value) }));
    refresh.addEventListener('change', () => this.change({ refresh: Number(refresh.value) }));
    split.addEventListener('change', () => this.change({ split: (split.value || undefined) as Field | undefined }));
    sort.addEventListener('change', () => this.change({ sort: sort.value as Metric }));
    byId('more').addEventListener('click', () => this.change({ rows: Math.min(LIMITS.rows, this.current.rows + ROWS_STEP) }));
  }

  /** The view the inputs show. */
  get current(): View {
    if (!this.view) throw new Error('the controls show no view yet');
    return this.view;
  }

  private get hours() {
    return this.current.hours;
  }

  /** A new view from the current one; the inputs follow once the page shows it. */
  change(part: Partial<View>): void {
    this.onChange({ ...this.current, ...part });
  }

  /** Moving one end past the other moves both: the range stays a range, and no longer follows the clock. */
  private setEnd(end: End, hour: number | undefined): void {
    if (hour === undefined) return this.show(this.current);
    const { from, to } = this.hours;
    const hours = end === 'from' ? { from: hour, to: Math.max(hour, to) } : { from: Math.min(from, hour), to: hour };
    this.change({ hours, last: undefined });
  }

  /** Sets every input to the view: the To time is the end of the range, the Last hour the last one in it. */
  show(view: View): void {
    this.view = view;
    this.time.from.value = hourLabel(view.hours.from);
    this.time.to.value = hourLabel(view.hours.to + 1);
    for (const end of ['from', 'to'] as const) this.hour[end].value = String(view.hours[end]);
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-last]')) {
      button.setAttribute('aria-pressed', String(Number(button.dataset.last) === view.last));
    }
    this.filters.show(view.filters);
    for (const box of document.querySelectorAll<HTMLInputElement>('#group-by input')) {
      box.checked = view.by.includes(box.value as Field);
    }
    this.boxes.exact.checked = view.exact;
    this.boxes.compare.checked = view.compare;
    const { top, refresh, split, sort } = this.selects;
    if (![...top.options].some((o) => o.value === String(view.top))) top.append(el('option', {}, String(view.top)));
    top.value = String(view.top);
    refresh.value = String(view.refresh);
    split.value = view.split ?? '';
    sort.value = view.sort;
  }

  /** Offers the names a view showed as suggestions for the filters. */
  suggest(seen: Record<Field, Set<string>>): void {
    this.filters.suggest(seen);
  }
}
