import { Field, View } from './view';
import { viewQuery } from './viewUrl';

/** Where a click on a part of a view leads: some fields narrowed to one value each, and or one hour. */
export interface Drill {
  filters?: Partial<Record<Field, string>>;
  hour?: number;
}

/** The view narrowed to the drill's values and hour; the hour no longer follows the clock. */
export function drilled(view: View, drill: Drill): View {
  const filters = { ...view.filters };
  for (const [field, value] of Object.entries(drill.filters ?? {}) as [Field, string][]) filters[field] = [value];
  if (drill.hour === undefined) return { ...view, filters };
  return { ...view, filters, hours: { from: drill.hour, to: drill.hour }, last: undefined };
}

/** The drilled view's address: a link a person may also open in a tab of its own. */
export const drillHref = (view: View, drill: Drill): string => `?${viewQuery(drilled(view, drill))}`;
