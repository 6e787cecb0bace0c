import { Document } from 'mongodb';
import { FlowKey, IncrementStatement, incrementTotals } from '../query/flows';
import { HOURS_PER_DAY, incrementRollup, Rollup, ROLLUPS, Span } from '../query/rollups';
import { TotalsCollection } from './flowCollections';
import { addExact, FlowTotals, KeyTotals } from './flowTotals';

/** The statements of a flush for one collection: the key documents', or the roll-ups'. */
export interface CollectionStatements {
  collection: TotalsCollection;
  statements: IncrementStatement<Document>[];
}

interface Sum {
  names: string[];
  bytesTx: number | bigint;
  bytesRx: number | bigint;
}

/** A roll-up's sums in one span: per first hour, per the names it keeps (as one string). */
type SpanSums = Map<number, Map<string, Sum>>;

function add(sums: SpanSums, hour: number, id: string, names: () => string[], bytesTx: number | bigint, bytesRx: number | bigint) {
  let byNames = sums.get(hour);
  if (!byNames) sums.set(hour, (byNames = new Map()));
  const sum = byNames.get(id);
  if (sum) {
    sum.bytesTx = addExact(sum.bytesTx, bytesTx);
    sum.bytesRx = addExact(sum.bytesRx, bytesRx);
  } else {
    byNames.set(id, { names: names(), bytesTx, bytesRx });
  }
}

/** The flush's sums for one roll-up, hour by hour from its keys, then day by day from those hours. */
function rollupSums({ fields, spans: kept }: Rollup, keys: Iterable<KeyTotals>): Map<Span, SpanSums> {
  const hours: SpanSums = new Map();
  for (const { key, bytesTx, bytesRx } of keys) {
    const names = () => fields.map((field) => key[field as keyof FlowKey] as string);
    // The names themselves when one is kept: no string is built per key.
    const id = fields.length === 1 ? (key[fields[0] as keyof FlowKey] as string) : names().join('\u0001');
    add(hours, key.hour, id, names, bytesTx, bytesRx);
  }
  const spans = new Map<Span, SpanSums>([[1, hours]]);
  if (kept.includes(HOURS_PER_DAY)) {
    const days: SpanSums = new Map();
    hours.forEach((byNames, hour) => {
      const first = hour - (hour % HOURS_PER_DAY);
      byNames.forEach((sum, id) => add(days, first, id, () => sum.names, sum.bytesTx, sum.bytesRx));
    });
    spans.set(HOURS_PER_DAY, days);
  }
  return spans;
}

/**
 * Every statement of a flush, by collection: one $inc upsert per key of the flush, and one per document of
 * each roll-up its keys fall in. Once all are acknowledged, every record of the flush is in its key's
 * document and in every roll-up document it belongs to.
 */
export function flushStatements(totals: FlowTotals): CollectionStatements[] {
  const keys: IncrementStatement<Document>[] = [];
  totals.byKey.forEach((t, id) => keys.push(incrementTotals(id, t.key, t.bytesTx, t.bytesRx)));
  const rollups: IncrementStatement<Document>[] = [];
  for (const rollup of ROLLUPS) {
    rollupSums(rollup, totals.byKey.values()).forEach((sums, span) =>
      sums.forEach((byNames, hour) =>
        byNames.forEach(({ names, bytesTx, bytesRx }) =>
          rollups.push(incrementRollup(rollup, span, hour, names, bytesTx, bytesRx)),
        ),
      ),
    );
  }
  return [
    { collection: 'keys', statements: keys },
    { collection: 'rollups', statements: rollups },
  ];
}
