import { Document } from 'mongodb';
import { FlowKey, IncrementStatement, incrementTotals } from '../query/flows';
import { NameField } from '../api/constants';
import { HOURS_PER_DAY, incrementRollup, Rollup, ROLLUPS, Span } from '../query/rollups';
import { TotalsCollection } from './flowCollections';
import { addExact, FlowTotals, KeyTotals } from './flowTotals';

/** The statements of a flush for one collection: the key documents', or the roll-ups'. */
export interface CollectionStatements {
  collection: TotalsCollection;
  statements: IncrementStatement<Document>[];
}

interface Sum {
  /** One of the keys summed: it holds the names the roll-up keeps. */
  key: FlowKey;
  bytesTx: number | bigint;
  bytesRx: number | bigint;
}

/** A roll-up's sums in one span: per first hour, per the names it keeps (as one string). */
type SpanSums = Map<number, Map<string, Sum>>;

/** The names a roll-up keeps, as one string: no string is built when it keeps one name or none. */
function namesId(fields: readonly NameField[], key: FlowKey): string {
  return fields.length === 0 ? '' : fields.length === 1 ? key[fields[0]] : fields.map((f) => key[f]).join('\u0001');
}

function add(sums: SpanSums, hour: number, id: string, { key, bytesTx, bytesRx }: Sum): void {
  let byNames = sums.get(hour);
  if (!byNames) sums.set(hour, (byNames = new Map()));
  const sum = byNames.get(id);
  if (sum) {
    sum.bytesTx = addExact(sum.bytesTx, bytesTx);
    sum.bytesRx = addExact(sum.bytesRx, bytesRx);
  } else {
    byNames.set(id, { key, bytesTx, bytesRx });
  }
}

/** The flush's sums for one roll-up, hour by hour from its keys, then day by day from those hours. */
function rollupSums({ fields, spans: kept }: Rollup, keys: Iterable<KeyTotals>): Map<Span, SpanSums> {
  const hours: SpanSums = new Map();
  for (const sum of keys) add(hours, sum.key.hour, namesId(fields, sum.key), sum);
  const spans = new Map<Span, SpanSums>([[1, hours]]);
  if (kept.includes(HOURS_PER_DAY)) {
    const days: SpanSums = new Map();
    hours.forEach((byNames, hour) => byNames.forEach((sum, id) => add(days, hour - (hour % HOURS_PER_DAY), id, sum)));
    spans.set(HOURS_PER_DAY, days);
  }
  return spans;
}

/** The statements of a flush for the key documents: one $inc upsert per key. */
export function keyStatements(totals: FlowTotals): IncrementStatement<Document>[] {
  const keys: IncrementStatement<Document>[] = [];
  totals.byKey.forEach((t, id) => keys.push(incrementTotals(id, t.key, t.bytesTx, t.bytesRx)));
  return keys;
}

/**
 * Every statement of a flush, by collection: one $inc upsert per key of the flush, and one per document of
 * each roll-up its keys fall in. Once all are acknowledged, every record of the flush is in its key's
 * document and in every roll-up document it belongs to.
 */
export function flushStatements(totals: FlowTotals): CollectionStatements[] {
  const keys = keyStatements(totals);
  const rollups: IncrementStatement<Document>[] = [];
  for (const rollup of ROLLUPS) {
    rollupSums(rollup, totals.byKey.values()).forEach((sums, span) =>
      sums.forEach((byNames, hour) =>
        byNames.forEach(({ key, bytesTx, bytesRx }) =>
          rollups.push(incrementRollup(rollup, span, hour, rollup.fields.map((f) => key[f]), bytesTx, bytesRx)),
        ),
      ),
    );
  }
  return [
    { collection: 'keys', statements: keys },
    { collection: 'rollups', statements: rollups },
  ];
}
