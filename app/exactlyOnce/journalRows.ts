import { flowKeyId } from '../query/flows';
import { FlowTotals } from '../storage/flowTotals';

/**
 * Keys' totals as a journal stores them: one binary string of unsigned LEB128 integers a row (hour, the
 * indexes of its three names in the chunk's name list, bytes_tx, bytes_rx), exact at any size. A flush's
 * journal carries every key of the flush once more, so its size is what it costs to encode and to send;
 * its names repeat across keys, so they are listed once a chunk.
 */

/** A chunk's names, each listed once, in the order first met. */
export class JournalNames {
  readonly list: string[] = [];
  private readonly indexes = new Map<string, number>();

  indexOf(name: string): number {
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = this.list.push(name) - 1;
      this.indexes.set(name, index);
    }
    return index;
  }
}

/** The most bytes a row's numbers take while each is a safe integer (8 bytes each for up to 2^56). */
const SAFE_ROW_BYTES = 6 * 8;

class RowWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(rows: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(rows, 1) * SAFE_ROW_BYTES);
  }

  ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(2 * (this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  uint(value: number | bigint): void {
    if (value < 0) throw new RangeError(`a journal holds no negative number: ${value}`);
    if (typeof value === 'number') {
      for (; value >= 0x80; value = Math.floor(value / 0x80)) this.buffer[this.length++] = (value % 0x80) | 0x80;
      this.buffer[this.length++] = value;
    } else {
      this.ensure(Math.ceil(value.toString(2).length / 7));
      for (; value >= 0x80n; value >>= 7n) this.buffer[this.length++] = Number(value & 0x7fn) | 0x80;
      this.buffer[this.length++] = Number(value);
    }
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Keys' totals from `from` to `to` in the totals' order, as rows naming `names`. */
export function encodeRows(totals: FlowTotals, names: JournalNames, from = 0, to = totals.byKey.size): Buffer {
  const writer = new RowWriter(Math.min(to, totals.byKey.size) - from);
  let i = 0;
  for (const { key, bytesTx, bytesRx } of totals.byKey.values()) {
    if (i >= to) break;
    if (i++ < from) continue;
    writer.ensure(SAFE_ROW_BYTES);
    writer.uint(key.hour);
    writer.uint(names.indexOf(key.src_app));
    writer.uint(names.indexOf(key.dest_app));
    writer.uint(names.indexOf(key.vpc_id));
    writer.uint(bytesTx);
    writer.uint(bytesRx);
  }
  return writer.bytes();
}

/** Adds the keys' totals of `rows` into `into`. */
export function decodeRows(rows: Uint8Array, names: readonly string[], into: FlowTotals): void {
  let at = 0;
  const uint = (): number | bigint => {
    let value = 0;
    let scale = 1;
    const start = at;
    for (;;) {
      const byte = rows[at++];
      if (byte === undefined) throw new Error('a journal row is cut short');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    // Seven bytes hold 49 bits: past them the number may have lost precision, so it is read again as a bigint.
    if (at - start <= 7) return value;
    let exact = 0n;
    for (let i = at - 1; i >= start; i--) exact = (exact << 7n) | BigInt(rows[i] & 0x7f);
    return exact;
  };
  const name = () => {
    const found = names[Number(uint())];
    if (found === undefined) throw new Error('a journal row names no listed name');
    return found;
  };
  while (at < rows.length) {
    const key = { hour: Number(uint()), src_app: name(), dest_app: name(), vpc_id: name() };
    into.addKey(flowKeyId(key), key, uint(), uint());
  }
}
