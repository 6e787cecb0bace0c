// Just enough of the Prometheus text format to read the service's own counters before and after a run.

export async function scrape(url) {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`bench: GET /metrics answered ${res.status}`);
  return res.text();
}

/** One series' value, 0 when it does not exist (a labelled counter appears only once incremented). */
export function sample(text, series) {
  const prefix = `${series} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

/** A histogram's mean over the interval between two scrapes, undefined when nothing was observed. */
export function histogramMean(before, after, name) {
  const count = sample(after, `${name}_count`) - sample(before, `${name}_count`);
  if (count === 0) return undefined;
  return (sample(after, `${name}_sum`) - sample(before, `${name}_sum`)) / count;
}
