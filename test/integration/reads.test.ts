import request from 'supertest';
import { DIMENSIONS } from '../../app/api/constants';
import { FlowRecord } from '../../app/data/flow';
import { recordCoverage } from '../../app/storage/rollupCoverage';
import { asPages, ExpectedRead, expectedRows, nextLink, readAllPages } from '../support/flowReads';
import { expectedSource, watchReads } from '../support/readSources';
import { mongoUri, RunningService, startService, uniqueDatabase, withMongo } from '../support/service';

const MAX = Number.MAX_SAFE_INTEGER;
const FROM = 400_000; // 8 hours before a UTC day starts (400,008 = 16,667 × 24)
const TO = FROM + 3;
const LAST = FROM + 60;

// Names whose binary UTF-8 order differs from JavaScript's UTF-16 order ('～' U+FF5E sorts before '😀' in
// UTF-8, after it in UTF-16), with spaces, accents and a prefix of another name.
const APPS = ['checkout', 'cart', 'car', 'é', '\uFF5E', '😀', 'a b'];
const VPCS = ['vpc-1', 'vpc-2', 'vpc-10'];

/**
 * A fixed pseudo-random data set over two and a half UTC days: small totals (many ties), most of them in the
 * first four hours, and one flow at 2^53 - 1 in every hour.
 */
function dataSet(): FlowRecord[] {
  let seed = 20261128;
  // mulberry32: small, fast and well spread.
  const next = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const records: FlowRecord[] = [];
  for (let i = 0; i < 280; i++) {
    records.push({
      src_app: APPS[next(APPS.length)],
      dest_app: APPS[next(APPS.length)],
      vpc_id: VPCS[next(VPCS.length)],
      bytes_tx: next(4),
      bytes_rx: next(3),
      hour: i < 160 ? FROM + next(4) : FROM + next(LAST - FROM + 1),
    });
  }
  for (let hour = FROM; hour <= LAST; hour++) {
    records.push({ src_app: 'checkout', dest_app: 'db', vpc_id: 'vpc-1', bytes_tx: MAX, bytes_rx: MAX - 1, hour });
  }
  return records;
}

const BY_COMBINATIONS: ExpectedRead['by'][] = [];
for (let mask = 1; mask < 16; mask++) {
  BY_COMBINATIONS.push(DIMENSIONS.filter((_, i) => mask & (1 << i)));
}
const SORTS = [undefined, 'bytes', 'bytes_tx', 'bytes_rx'] as const;

let service: RunningService;
/** A deployment upgraded from a version without roll-ups: they cover only the hours from FROM + 30 on. */
let upgraded: RunningService;
const records = dataSet();

beforeAll(async () => {
  service = await startService();
  const database = uniqueDatabase();
  await withMongo(mongoUri(), (client) =>
    recordCoverage(client.db(database).collection(`${service.settings.mongodbCollection}.coverage`), FROM + 30),
  );
  upgraded = await startService({ mongodbDatabase: database });
  for (const s of [service, upgraded]) await request(s.url).post('/flows').send(records).expect(200);
});
afterAll(async () => {
  await Promise.all([service.stop(), upgraded.stop()]);
});

function queryString(read: ExpectedRead, limit?: number): string {
  const params = new URLSearchParams({ from: String(read.from), to: String(read.to), by: read.by.join(',') });
  if (read.sort) params.set('sort', read.sort);
  for (const [name, values] of Object.entries(read.filters ?? {})) for (const v of values) params.append(name, v);
  if (limit !== undefined) params.set('limit', String(limit));
  return params.toString();
}

/** Every source a read can be planned onto, each with a range whose reads it answers, and a page size. */
const SOURCES = [
  { source: "a roll-up's hours", service: () => service, from: FROM + 1, to: TO, covered: true, wholeDay: false, limit: 7 },
  {
    source: "a roll-up's days and hours",
    service: () => service,
    from: FROM + 1,
    to: LAST - 2,
    covered: true,
    wholeDay: true,
    limit: 25,
  },
  {
    source: 'the key documents, before the roll-ups cover',
    service: () => upgraded,
    from: FROM + 1,
    to: LAST - 2,
    covered: false,
    wholeDay: true,
    limit: 25,
  },
];

/** Walks the read page by page and checks it against the sums computed here, and where it was read from. */
async function walk(target: RunningService, read: ExpectedRead, limit: number, where: { covered: boolean; wholeDay: boolean }) {
  const watch = watchReads(target);
  try {
    const pages = await readAllPages(target.url, `/flows?${queryString(read, limit)}`);
    expect(pages).toEqual(asPages(expectedRows(records, read), limit));
    const expected = expectedSource(target.settings.mongodbCollection, read, where);
    expect(watch.reads.length).toBe(pages.length);
    for (const source of watch.reads) expect(source).toEqual(expected);
  } finally {
    watch.stop();
  }
}

describe.each(SOURCES)('a read answered from $source', ({ service: target, from, to, covered, wholeDay, limit }) => {
  describe.each(BY_COMBINATIONS.map((by) => [by.join(','), by] as const))('by=%s', (_name, by) => {
    it.each(SORTS.map((sort) => [sort ?? 'key order', sort] as const))(
      'in %s, walked page by page to the end, gives every row once with exact sums',
      async (_order, sort) => {
        const read: ExpectedRead = { from, to, by, sort };
        expect(expectedRows(records, read).length).toBeGreaterThan(0);
        await walk(target(), read, limit, { covered, wholeDay });
      },
    );
  });

  it.each([
    ['several values of one filter', { src_app: ['cart', '😀', 'nobody'] }],
    ['every filter at once', { src_app: ['cart', 'car', 'é'], dest_app: ['checkout', '\uFF5E'], vpc_id: ['vpc-1', 'vpc-10'] }],
    ['a filter matching nothing', { vpc_id: ['vpc-3'] }],
    ['a filter on a roll-up\'s own name', { dest_app: ['cart', 'é'] }],
  ])('keeps only the rows matching %s', async (_name, filters) => {
    for (const read of [
      { from, to, by: ['src_app', 'dest_app', 'vpc_id'], filters },
      { from, to, by: ['dest_app'], sort: 'bytes', filters },
      { from, to, by: ['hour'], filters },
    ] as ExpectedRead[]) {
      await walk(target(), read, 5, { covered, wholeDay });
    }
  });
});

describe('a read over a range', () => {
  it('sums across hours past 2^53 digit-exact', async () => {
    const res = await request(service.url)
      .get(`/flows?from=${FROM}&to=${TO}&src_app=checkout&dest_app=db&vpc_id=vpc-1`)
      .expect(200);
    const checkoutToDb = records.filter(
      (r) => r.src_app === 'checkout' && r.dest_app === 'db' && r.vpc_id === 'vpc-1' && r.hour >= FROM && r.hour <= TO,
    );
    const tx = checkoutToDb.reduce((sum, r) => sum + BigInt(r.bytes_tx), 0n);
    const rx = checkoutToDb.reduce((sum, r) => sum + BigInt(r.bytes_rx), 0n);
    expect(tx).toBeGreaterThan(4n * BigInt(MAX) - 1n);
    expect(res.text).toBe(`[{"src_app":"checkout","dest_app":"db","vpc_id":"vpc-1","bytes_tx":${tx},"bytes_rx":${rx}}]`);
  });

  it('groups by src_app, dest_app, vpc_id by default', async () => {
    const res = await request(service.url).get(`/flows?from=${FROM}&to=${TO}&limit=10000`).expect(200);
    expect(res.headers.link).toBeUndefined();
    expect(res.text).toBe(`[${expectedRows(records, { from: FROM, to: TO, by: ['src_app', 'dest_app', 'vpc_id'] }).join(',')}]`);
  });

  it('answers a range without data with []', async () => {
    const res = await request(service.url).get(`/flows?from=${LAST + 1}&to=${LAST + 100}&by=src_app`).expect(200);
    expect([res.text, res.headers.link]).toEqual(['[]', undefined]);
  });

  it('gives a time series of one flow with by=hour', async () => {
    const read: ExpectedRead = {
      from: FROM,
      to: TO,
      by: ['hour'],
      filters: { src_app: ['checkout'], dest_app: ['db'], vpc_id: ['vpc-1'] },
    };
    const res = await request(service.url).get(`/flows?${queryString(read)}`).expect(200);
    expect(res.text).toBe(`[${expectedRows(records, read).join(',')}]`);
    expect(JSON.parse(res.text)).toHaveLength(4);
  });

  it('answers hour=N with by and sort as a one-hour range', async () => {
    const res = await request(service.url).get(`/flows?hour=${FROM + 2}&by=src_app&sort=bytes_rx`).expect(200);
    expect(res.text).toBe(`[${expectedRows(records, { from: FROM + 2, to: FROM + 2, by: ['src_app'], sort: 'bytes_rx' }).join(',')}]`);
  });

  it('pages hour=N in key order with every field, as the whole-hour read orders it', async () => {
    const whole = await request(service.url).get(`/flows?hour=${FROM}`).expect(200);
    const pages = await readAllPages(service.url, `/flows?hour=${FROM}&limit=4`);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.map((p) => p.slice(1, -1)).filter((p) => p !== '').join(',')).toBe(whole.text.slice(1, -1));
  });

  it('links to the next page on the path the client used, keeping its parameters', async () => {
    const res = await request(service.url).get(`/flow?from=${FROM}&to=${TO}&by=src_app&sort=bytes&limit=2`).expect(200);
    expect(res.headers.link).toMatch(
      new RegExp(`^</flow\\?from=${FROM}&to=${TO}&by=src_app&sort=bytes&limit=2&cursor=[A-Za-z0-9_-]+>; rel="next"$`),
    );
  });

  it('lets the page size change between pages', async () => {
    const read: ExpectedRead = { from: FROM, to: TO, by: ['src_app', 'vpc_id'], sort: 'bytes_tx' };
    const expected = expectedRows(records, read);
    const first = await request(service.url).get(`/flows?${queryString(read, 3)}`).expect(200);
    const next = nextLink(first)!.replace('limit=3', 'limit=10000');
    const rest = await request(service.url).get(next).expect(200);
    expect([first.text, rest.text]).toEqual([`[${expected.slice(0, 3).join(',')}]`, `[${expected.slice(3).join(',')}]`]);
  });
});

describe('the cursor', () => {
  const firstLink = async (query: string) =>
    nextLink(await request(service.url).get(`/flows?${query}`).expect(200))!;

  it('is refused with another query', async () => {
    const link = await firstLink(`from=${FROM}&to=${TO}&by=src_app&limit=1`);
    const cursor = new URL(link, service.url).searchParams.get('cursor')!;
    for (const other of [
      `from=${FROM}&to=${TO}&by=dest_app`,
      `from=${FROM}&to=${TO}&by=src_app&sort=bytes`,
      `from=${FROM}&to=${TO + 1}&by=src_app`,
      `from=${FROM}&to=${TO}&by=src_app&vpc_id=vpc-1`,
    ]) {
      const res = await request(service.url).get(`/flows?${other}&cursor=${cursor}`).expect(400);
      expect([res.body.error, res.body.parameter]).toEqual(['invalid_parameter', 'cursor']);
    }
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['JSON of the wrong shape', Buffer.from('[1,2]').toString('base64url')],
    ['an operator instead of a value', Buffer.from(JSON.stringify({ q: 'x', k: [{ $gt: '' }] })).toString('base64url')],
  ])('is refused when it is %s', async (_name, cursor) => {
    const res = await request(service.url).get(`/flows?from=${FROM}&to=${TO}&by=src_app&cursor=${cursor}`).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_parameter', parameter: 'cursor' });
  });

  it('only ever moves the start within the rows the query selects', async () => {
    const link = await firstLink(`from=${FROM}&to=${TO}&by=src_app&src_app=cart&src_app=car&limit=1`);
    const cursor = new URL(link, service.url).searchParams.get('cursor')!;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { q: string; k: unknown[] };
    // A position before every name: the whole filtered answer, never another app's row.
    const forged = Buffer.from(JSON.stringify({ q: decoded.q, k: [''] })).toString('base64url');
    const res = await request(service.url)
      .get(`/flows?from=${FROM}&to=${TO}&by=src_app&src_app=cart&src_app=car&cursor=${forged}`)
      .expect(200);
    expect(res.text).toBe(
      `[${expectedRows(records, { from: FROM, to: TO, by: ['src_app'], filters: { src_app: ['cart', 'car'] } }).join(',')}]`,
    );
  });
});

describe('a total that would not fit in 64 bits', () => {
  const HOUR = 410_000;
  const many = (n: number, record: Partial<FlowRecord>) =>
    Array.from({ length: n }, () => ({ src_app: 'big', dest_app: 'sink', vpc_id: 'v', bytes_tx: 0, bytes_rx: 0, hour: HOUR, ...record }));
  // 600 × (2^53 - 1) ≈ 5.4 × 10^18 fits in a signed 64-bit integer; twice that does not.
  const perHour = 600n * BigInt(MAX);

  beforeAll(async () => {
    await request(service.url).post('/flows').send(many(600, { bytes_tx: MAX })).expect(200);
    await request(service.url).post('/flows').send(many(600, { bytes_tx: MAX, hour: HOUR + 1 })).expect(200);
    await request(service.url).post('/flows').send(many(600, { dest_app: 'both', bytes_tx: MAX, bytes_rx: MAX, hour: HOUR + 2 })).expect(200);
  });

  it('is refused with 422, never rounded', async () => {
    for (const query of [`from=${HOUR}&to=${HOUR + 1}`, `from=${HOUR}&to=${HOUR + 1}&sort=bytes_tx`, `from=${HOUR}&to=${HOUR + 2}&by=src_app`]) {
      const res = await request(service.url).get(`/flows?${query}`).expect(422);
      expect(res.body).toEqual({ error: 'sum_overflow', message: expect.stringMatching(/exceeds 2\^63 - 1/) });
    }
  });

  it('is refused as a sort key: bytes_tx + bytes_rx past 2^63 - 1 cannot be ordered exactly', async () => {
    const res = await request(service.url).get(`/flows?hour=${HOUR + 2}&sort=bytes`).expect(422);
    expect(res.body.error).toBe('sum_overflow');
  });

  it('does not stop the totals that fit', async () => {
    const series = await request(service.url).get(`/flows?from=${HOUR}&to=${HOUR + 1}&by=hour`).expect(200);
    expect(series.text).toBe(`[{"hour":${HOUR},"bytes_tx":${perHour},"bytes_rx":0},{"hour":${HOUR + 1},"bytes_tx":${perHour},"bytes_rx":0}]`);
    await request(service.url).get(`/flows?hour=${HOUR + 2}&sort=bytes_tx`).expect(200);
  });
});
