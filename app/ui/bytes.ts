const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB'];

/** A byte count in decimal units with three significant digits: "1.50 KB", "734 MB". */
export function humanBytes(bytes: bigint): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toPrecision(3)} ${units[unit]}`;
}

/** Every digit, grouped: "18,446,744,073,709,551,614 bytes". */
export function exactBytes(bytes: bigint): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}
