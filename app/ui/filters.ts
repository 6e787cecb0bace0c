import { el } from './dom';
import { Field, fieldNames, FIELDS, LIMITS } from './view';

type Values = Record<Field, string[]>;

interface Filter {
  input: HTMLInputElement;
  chips: HTMLUListElement;
  suggestions: HTMLDataListElement;
}

/**
 * One input per field: type a value and press Enter (or Add) to show only flows with it, any number of
 * values per field; press a value to remove it. Each change is handed to onChange.
 */
export class Filters {
  private values?: Values;
  private readonly filters = new Map<Field, Filter>();

  constructor(
    container: HTMLElement,
    private readonly onChange: (values: Values) => void,
  ) {
    for (const field of FIELDS) container.append(this.form(field));
  }

  private form(field: Field): HTMLFormElement {
    const input = el('input', { id: `filter-${field}`, list: `values-${field}`, autocomplete: 'off', maxlength: '256' });
    const chips = el('ul', { class: 'chips', 'aria-label': `${fieldNames[field]}s shown` });
    const suggestions = el('datalist', { id: `values-${field}` });
    this.filters.set(field, { input, chips, suggestions });
    const form = el(
      'form',
      { class: 'filter', 'data-field': field },
      el('label', { for: input.id }, `${fieldNames[field]} `, el('code', {}, field)),
      el('div', { class: 'add' }, input, el('button', {}, 'Add')),
      suggestions,
      chips,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const values = this.values?.[field] ?? [];
      if (!this.values || input.value === '' || values.includes(input.value) || values.length >= LIMITS.values) return;
      this.onChange({ ...this.values, [field]: [...values, input.value] });
      input.value = '';
    });
    return form;
  }

  show(values: Values): void {
    this.values = values;
    for (const [field, { input, chips }] of this.filters) {
      chips.replaceChildren(
        ...values[field].map((value) => {
          const button = el('button', { type: 'button', 'aria-label': `Remove ${fieldNames[field].toLowerCase()} ${value}` }, `${value} ✕`);
          button.addEventListener('click', () => {
            input.focus(); // the value goes away: keep the keyboard where it was
            this.onChange({ ...values, [field]: values[field].filter((v) => v !== value) });
          });
          return el('li', {}, button);
        }),
      );
    }
  }

  /** Offers names the view showed as suggestions. */
  suggest(seen: Record<Field, Set<string>>): void {
    for (const [field, { suggestions }] of this.filters) {
      suggestions.replaceChildren(...[...seen[field]].sort().map((value) => el('option', { value })));
    }
  }
}
