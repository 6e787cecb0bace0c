// The bench's own sums of every record it had acknowledged, and the checks of each store's answers against
// them: exact BigInt totals, the same rows, nothing missing, nothing more.

const keyOf = (r) => `${r.hour}\u0000${r.src_app}\u0000${r.dest_app}\u0000${r.vpc_id}`;

export class ExpectedSums {
  /** (hour, src, dest, vpc) → { record, tx, rx } */
  keys = new Map();
  records = 0;

  /** Adds `times` acknowledged copies of a report's records. */
  add(records, times = 1) {
    if (times === 0) return;
    const n = BigInt(times);
    for (const r of records) {
      const id = keyOf(r);
      const sums = this.keys.get(id) ?? { record: r, tx: 0n, rx: 0n };
      sums.tx += BigInt(r.bytes_tx) * n;
      sums.rx += BigInt(r.bytes_rx) * n;
      this.keys.set(id, sums);
    }
    this.records += records.length * times;
  }

  /** Adds what a measured load acknowledged: acks[i] copies of report i. */
  addAcknowledged(reports, acks) {
    reports.forEach((records, i) => this.add(records, acks[i]));
  }

  /** Totals over hours from..to, filtered, grouped by the `by` name field: name → { tx, rx, total }. */
  grouped(from, to, by, filter = () => true) {
    const groups = new Map();
    for (const { record: r, tx, rx } of this.keys.values()) {
      if (r.hour < from || r.hour > to || !filter(r)) continue;
      const g = groups.get(r[by]) ?? { name: r[by], tx: 0n, rx: 0n };
      g.tx += tx;
      g.rx += rx;
      groups.set(r[by], g);
    }
    for (const g of groups.values()) g.total = g.tx + g.rx;
    return groups;
  }

  /** Every key of one hour: `src\0dest\0vpc` → { tx, rx }. */
  hour(hour) {
    const rows = new Map();
    for (const { record: r, tx, rx } of this.keys.values()) {
      if (r.hour === hour) rows.set(`${r.src_app}\u0000${r.dest_app}\u0000${r.vpc_id}`, { tx, rx });
    }
    return rows;
  }
}

function mismatch(read, detail) {
  return new Error(`bench:db: ${read}: ${detail}`);
}

/** A row's totals against the expected ones. */
function checkTotals(read, name, row, want) {
  if (!want) throw mismatch(read, `row ${JSON.stringify(name)} is not in the bench's sums`);
  if (row.bytes_tx !== want.tx || row.bytes_rx !== want.rx) {
    throw mismatch(read, `${JSON.stringify(name)}: ${row.bytes_tx}/${row.bytes_rx} where the bench summed ${want.tx}/${want.rx}`);
  }
}

/** Every key of the hour, exactly once, with its exact totals. */
export function checkHour(read, rows, expected, hour) {
  const want = expected.hour(hour);
  if (rows.length !== want.size) throw mismatch(read, `${rows.length} rows where the bench has ${want.size} keys`);
  const seen = new Set();
  for (const row of rows) {
    const id = `${row.src_app}\u0000${row.dest_app}\u0000${row.vpc_id}`;
    if (seen.has(id)) throw mismatch(read, `key ${JSON.stringify(id)} twice`);
    seen.add(id);
    checkTotals(read, id, row, want.get(id));
  }
}

/** Every group, exactly once, exact, in descending order of tx + rx. */
export function checkGroups(read, rows, by, groups) {
  if (rows.length !== groups.size) throw mismatch(read, `${rows.length} rows where the bench has ${groups.size}`);
  checkOrderedRows(read, rows, by, groups);
}

/**
 * The top n by tx + rx: exact totals, in descending order, and none left out that had more than the last one
 * given (ties at the boundary may go either way).
 */
export function checkTop(read, rows, by, groups, n) {
  if (rows.length !== Math.min(n, groups.size)) throw mismatch(read, `${rows.length} rows where ${Math.min(n, groups.size)} were asked`);
  checkOrderedRows(read, rows, by, groups);
  const last = groups.get(rows.at(-1)?.[by])?.total;
  const given = new Set(rows.map((r) => r[by]));
  const missed = [...groups.values()].find((g) => !given.has(g.name) && g.total > last);
  if (missed) throw mismatch(read, `${JSON.stringify(missed.name)} (${missed.total}) belongs in the top ${n}`);
}

function checkOrderedRows(read, rows, by, groups) {
  const seen = new Set();
  rows.forEach((row, i) => {
    if (seen.has(row[by])) throw mismatch(read, `${JSON.stringify(row[by])} twice`);
    seen.add(row[by]);
    checkTotals(read, row[by], row, groups.get(row[by]));
    if (i > 0 && row.bytes_tx + row.bytes_rx > rows[i - 1].bytes_tx + rows[i - 1].bytes_rx) {
      throw mismatch(read, `row ${i} is not in descending order of bytes`);
    }
  });
}
