const byteUnits = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB'];
const rateUnits = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s', 'Pbit/s', 'Ebit/s', 'Zbit/s'];

/** A value in decimal units (1 k = 1000) with three significant digits: "1.50 KB", "734 Mbit/s". */
function scaled(value: number, units: string[]): string {
  let unit = 0;
  while (Math.abs(value) >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toPrecision(3)} ${units[unit]}`;
}

/** A byte count in decimal units with three significant digits: "1.50 KB", "734 MB"; below 1000, every digit. */
export function humanBytes(bytes: bigint): string {
  const size = bytes < 0n ? -bytes : bytes;
  return size < 1000n ? `${bytes} B` : scaled(Number(bytes), byteUnits);
}

/** Every digit, grouped: "18,446,744,073,709,551,614 bytes". */
export function exactBytes(bytes: bigint): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** The average bits per second of `bytes` over `seconds`; undefined when no time has passed. */
export function bitsPerSecond(bytes: bigint, seconds: number): number | undefined {
  return seconds > 0 ? Number(bytes * 8n) / seconds : undefined;
}

/** "1.23 Gbit/s"; "–" for no rate. */
export function humanRate(rate: number | undefined): string {
  return rate === undefined ? '–' : scaled(rate, rateUnits);
}

/** "+1.20 GB", "−3.00 MB", "0 B". */
export function humanChange(change: bigint, exact: boolean): string {
  const size = change < 0n ? -change : change;
  const sign = change > 0n ? '+' : change < 0n ? '−' : '';
  return `${sign}${exact ? String(size) : humanBytes(size)}`;
}

/** The change from `previous` to `current` in percent, "+8.0%"; "new" when there was nothing before. */
export function percentChange(current: bigint, previous: bigint): string {
  if (previous === 0n) return current === 0n ? '0%' : 'new';
  const percent = Number(((current - previous) * 10_000n) / previous) / 100;
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '';
  const size = Math.abs(percent);
  return `${sign}${size >= 1000 ? Math.round(size).toLocaleString('en-US') : size.toFixed(1)}%`;
}
