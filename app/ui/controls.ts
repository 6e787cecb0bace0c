import { byId, el } from './dom';
import { Filters } from './filters';
import { hourCount, Hours, hourToInput, inputToHour, MAX_HOUR } from './hours';
import { Field, FIELDS, LIMITS, View } from './view';

const ROWS_STEP = 25;

function hourOf(input: HTMLInputElement): number | undefined {
  if (input.type !== 'number') return inputToHour(input.value);
  const hour = /^\d{1,10}$/.test(input.value) ? Number(input.value) : NaN;
  return hour <= MAX_HOUR ? hour : undefined;
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

  constructor(
    private readonly onChange: (view: View) => void,
    latest: (span: number) => void,
  ) {
    byId('hours').addEventListener('submit', (event) => event.preventDefault());
    for (const end of ['from', 'to'] as const) {
      for (const input of [this.time[end], this.hour[end]]) {
        input.addEventListener('change', () => this.setEnd(end, hourOf(input)));
      }
    }
    const shift = (direction: number) => {
      const { from, to } = this.hours;
      const step = hourCount(this.hours) * direction;
      if (from + step >= 0 && to + step <= MAX_HOUR) this.change({ hours: { from: from + step, to: to + step } });
    };
    byId('earlier').addEventListener('click', () => shift(-1));
    byId('later').addEventListener('click', () => shift(1));
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-span]')) {
      const span = Number(button.dataset.span);
      button.addEventListener('click', () => this.change({ hours: { from: Math.max(0, this.hours.to - span + 1), to: this.hours.to } }));
    }
    byId('latest').addEventListener('click', () => latest(hourCount(this.hours)));

    for (const box of document.querySelectorAll<HTMLInputElement>('#group-by input')) {
      box.addEventListener('change', () => {
        const by = FIELDS.filter((f) => document.querySelector<HTMLInputElement>(`#group-by [value=${f}]`)?.checked);
        if (by.length) this.change({ by });
        else box.checked = true; // the table needs one field at least
      });
    }
    const exact = byId<HTMLInputElement>('exact');
    exact.addEventListener('change', () => this.change({ exact: exact.checked }));
    const top = byId<HTMLSelectElement>('top');
    top.addEventListener('change', () => this.change({ top: Number(top.value) }));
    byId('more').addEventListener('click', () => this.change({ rows: Math.min(LIMITS.rows, this.current.rows + ROWS_STEP) }));
  }

  /** The view the inputs show. */
  get current(): View {
    if (!this.view) throw new Error('the controls show no view yet');
    return this.view;
  }

  private get hours(): Hours {
    return this.current.hours;
  }

  /** A new view from the current one; the inputs follow once the page shows it. */
  change(part: Partial<View>): void {
    this.onChange({ ...this.current, ...part });
  }

  /** Moving one end past the other moves both: the range stays a range. */
  private setEnd(end: 'from' | 'to', hour: number | undefined): void {
    if (hour === undefined) return this.show(this.current);
    const { from, to } = this.hours;
    const hours = end === 'from' ? { from: hour, to: Math.max(hour, to) } : { from: Math.min(from, hour), to: hour };
    this.change({ hours });
  }

  /** Sets every input to the view. */
  show(view: View): void {
    this.view = view;
    for (const end of ['from', 'to'] as const) {
      this.time[end].value = hourToInput(view.hours[end]);
      this.hour[end].value = String(view.hours[end]);
    }
    this.filters.show(view.filters);
    for (const box of document.querySelectorAll<HTMLInputElement>('#group-by input')) {
      box.checked = view.by.includes(box.value as Field);
    }
    byId<HTMLInputElement>('exact').checked = view.exact;
    const top = byId<HTMLSelectElement>('top');
    if (![...top.options].some((o) => o.value === String(view.top))) top.append(el('option', {}, String(view.top)));
    top.value = String(view.top);
  }

  /** Offers the names a view showed as suggestions for the filters. */
  suggest(seen: Record<Field, Set<string>>): void {
    this.filters.suggest(seen);
  }
}
