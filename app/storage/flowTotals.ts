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
    for (const r of records) this.addKey(flowKeyId(r), r, r.bytes_tx, r.bytes_rx);
    this.records += records.length;
  }

  /** Adds totals already summed elsewhere (records forwarded by another member), and the records they hold. */
  merge(other: FlowTotals): void {
    other.byKey.forEach((t, id) => this.addKey(id, t.key, t.bytesTx, t.bytesRx));
    this.records += other.records;
  }

  /** Adds one key's totals; the caller counts the records they hold. */
  addKey(id: string, key: FlowKey, bytesTx: number | bigint, bytesRx: number | bigint): void {
    const totals = this.byKey.get(id);
    if (totals) {
      totals.bytesTx = addExact(totals.bytesTx, bytesTx);
      totals.bytesRx = addExact(totals.bytesRx, bytesRx);
    } else {
      this.byKey.set(id, {
        key: { hour: key.hour, src_app: key.src_app, dest_app: key.dest_app, vpc_id: key.vpc_id },
        bytesTx,
        bytesRx,
      });
    }
  }
}
