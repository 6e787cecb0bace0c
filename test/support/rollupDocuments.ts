import { Document, MongoClient } from 'mongodb';
import { FlowRecord } from '../../app/data/flow';
import { RunningService, withMongo } from './service';

/** The roll-ups as docs/reads.md lists them: the name, the names kept, whether days are kept. */
export const DOCUMENTED_ROLLUPS = [
  { name: 'by_src_app', names: ['src_app'], days: true },
  { name: 'by_dest_app', names: ['dest_app'], days: false },
  { name: 'by_vpc_id', names: ['vpc_id'], days: true },
  { name: 'total', names: [], days: true },
] as const;

type Totals = Record<string, { tx: bigint; rx: bigint }>;

/**
 * What the roll-ups must hold after the records, computed here from the records alone: per roll-up, per
 * (span, first hour, names kept), the sums.
 */
export function expectedRollups(records: readonly FlowRecord[]): Record<string, Totals> {
  const expected: Record<string, Totals> = {};
  for (const { name, names, days } of DOCUMENTED_ROLLUPS) {
    const totals: Totals = (expected[name] = {});
    for (const r of records) {
      const spans: [number, number][] = [[1, r.hour]];
      if (days) spans.push([24, r.hour - (r.hour % 24)]);
      for (const [hours, hour] of spans) {
        const key = JSON.stringify([hours, hour, ...names.map((n) => r[n])]);
        const sum = (totals[key] ??= { tx: 0n, rx: 0n });
        sum.tx += BigInt(r.bytes_tx);
        sum.rx += BigInt(r.bytes_rx);
      }
    }
  }
  return expected;
}

/** What the roll-ups of the service hold, in the shape expectedRollups() gives. */
export async function storedRollups(service: RunningService): Promise<Record<string, Totals>> {
  const { mongodbUri, mongodbDatabase, mongodbCollection } = service.settings;
  return withMongo(mongodbUri, async (client: MongoClient) => {
    const stored: Record<string, Totals> = {};
    const collection = client.db(mongodbDatabase).collection(`${mongodbCollection}.rollups`);
    for (const { name, names } of DOCUMENTED_ROLLUPS) {
      const docs = await collection.find({ rollup: name }, { useBigInt64: true }).toArray();
      stored[name] = Object.fromEntries(
        docs.map((d: Document) => [
          JSON.stringify([d.hours, d.hour, ...names.map((n) => d[n])]),
          { tx: BigInt(d.bytes_tx), rx: BigInt(d.bytes_rx) },
        ]),
      );
    }
    return stored;
  });
}
