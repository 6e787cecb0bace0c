import { FlowRecord } from '../data/flow';
import { FlowKey, flowKeyId } from '../query/flows';

export interface KeyTotals {
  key: FlowKey;
  bytesTx: number | bigint;
  bytesRx: number | bigint;
}

/** Adds exactly: stays a number while the sum is a safe integer, becomes a bigint past 2^53 - 1. */
export function addExact(sum: number | bigint, value: number | bigint): number | bigint {
  if (typeof sum === 'bigint' || typeof value === 'bigint') return BigInt(sum) + BigInt(value);
  const result = sum + value;
  return Number.isSafeInteger(result) ? result : BigInt(sum) + BigInt(value);
}

/** Records summed in memory by flow key id: what one flush writes, one upsert per distinct key. */
export class FlowTotals {
  readonly byKey = new Map<string, KeyTotals>();
  records = 0;

  add(records: readonly FlowRecord[]): void {
    for (const r of records) {
      const id = flowKeyId(r);
      const totals = this.byKey.get(id);
      if (totals) {
        totals.bytesTx = addExact(totals.bytesTx, r.bytes_tx);
        totals.bytesRx = addExact(totals.bytesRx, r.bytes_rx);
      } else {
        this.byKey.set(id, {
          key: { hour: r.hour, src_app: r.src_app, dest_app: r.dest_app, vpc_id: r.vpc_id },
          bytesTx: r.bytes_tx,
          bytesRx: r.bytes_rx,
        });
      }
    }
    this.records += records.length;
  }
}
