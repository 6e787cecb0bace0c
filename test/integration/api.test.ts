import request from 'supertest';
import { RunningService, startService, withMongo } from '../support/service';

const record = (overrides: Record<string, unknown> = {}) => ({
  src_app: 'foo',
  dest_app: 'bar',
  vpc_id: 'vpc-0',
  bytes_tx: 100,
  bytes_rx: 500,
  hour: 1,
  ...overrides,
});

let service: RunningService;
let hourSeq = 1000;
/** Each test writes to hours of its own, so tests never see each other's rows. */
const freshHour = () => hourSeq++;

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service.stop();
});

const post = (body: unknown, path = '/flows') => request(service.url).post(path).send(body as object);
const getHour = (hour: number | string, path = '/flows') => request(service.url).get(`${path}?hour=${hour}`);

describe('the original example', () => {
  it('sums two POSTs to /flow and answers GET /flow?hour=1 with bytes_tx 300, bytes_rx 1500', async () => {
    await post([record({ bytes_tx: 100, bytes_rx: 500 })], '/flow').expect(200, { accepted: 1 });
    await post([record({ bytes_tx: 200, bytes_rx: 1000 })], '/flow').expect(200, { accepted: 1 });
    const res = await getHour(1, '/flow').expect(200).expect('Content-Type', /application\/json/);
    expect(res.body).toEqual([
      { src_app: 'foo', dest_app: 'bar', vpc_id: 'vpc-0', hour: 1, bytes_tx: 300, bytes_rx: 1500 },
    ]);
  });
});

describe('ingest and read', () => {
  it('answers an hour without data with []', async () => {
    const res = await getHour(freshHour()).expect(200);
    expect(res.text).toBe('[]');
  });

  it('accepts an empty batch', async () => {
    await post([]).expect(200, { accepted: 0 });
  });

  it('returns rows in src_app, dest_app, vpc_id order with totals per key', async () => {
    const hour = freshHour();
    const otherHour = freshHour();
    await post([
      record({ hour, src_app: 'b', dest_app: 'a', vpc_id: 'v1', bytes_tx: 1, bytes_rx: 2 }),
      record({ hour, src_app: 'a', dest_app: 'z', vpc_id: 'v1', bytes_tx: 3, bytes_rx: 4 }),
      record({ hour, src_app: 'a', dest_app: 'c', vpc_id: 'v2', bytes_tx: 5, bytes_rx: 6 }),
      record({ hour, src_app: 'a', dest_app: 'c', vpc_id: 'v1', bytes_tx: 7, bytes_rx: 8 }),
      record({ hour, src_app: 'a', dest_app: 'c', vpc_id: 'v1', bytes_tx: 10, bytes_rx: 20 }),
      record({ hour: otherHour, src_app: 'a', dest_app: 'c', vpc_id: 'v1', bytes_tx: 1000, bytes_rx: 1000 }),
    ]).expect(200, { accepted: 6 });
    const res = await getHour(hour).expect(200);
    expect(res.body.map((r: Record<string, unknown>) => [r.src_app, r.dest_app, r.vpc_id, r.bytes_tx, r.bytes_rx]))
      .toEqual([
        ['a', 'c', 'v1', 17, 28],
        ['a', 'c', 'v2', 5, 6],
        ['a', 'z', 'v1', 3, 4],
        ['b', 'a', 'v1', 1, 2],
      ]);
  });

  it('keeps names with separators, operators, spaces and non-ASCII as distinct flows', async () => {
    const hour = freshHour();
    const names = ['a|b', 'a', 'a:b', 'a/b', 'a#b', 'a.b', '$a', '$gt', 'a b', 'ä', 'a\u0301', 'á', '🙂', 'a|b|c'];
    const batch = names.flatMap((name, i) => [
      record({ hour, src_app: name, dest_app: 'x', vpc_id: 'v', bytes_tx: i + 1, bytes_rx: 0 }),
      record({ hour, src_app: 'x', dest_app: name, vpc_id: 'v', bytes_tx: 0, bytes_rx: i + 1 }),
    ]);
    // Splitting a name across fields must not collide with another key either.
    batch.push(record({ hour, src_app: 'a|b', dest_app: 'c', vpc_id: 'v', bytes_tx: 100, bytes_rx: 0 }));
    batch.push(record({ hour, src_app: 'a', dest_app: 'b|c', vpc_id: 'v', bytes_tx: 200, bytes_rx: 0 }));
    await post(batch).expect(200);
    const rows: Record<string, unknown>[] = (await getHour(hour).expect(200)).body;
    expect(rows).toHaveLength(names.length * 2 + 2);
    names.forEach((name, i) => {
      expect(rows).toContainEqual({ src_app: name, dest_app: 'x', vpc_id: 'v', hour, bytes_tx: i + 1, bytes_rx: 0 });
      expect(rows).toContainEqual({ src_app: 'x', dest_app: name, vpc_id: 'v', hour, bytes_tx: 0, bytes_rx: i + 1 });
    });
    expect(rows).toContainEqual({ src_app: 'a|b', dest_app: 'c', vpc_id: 'v', hour, bytes_tx: 100, bytes_rx: 0 });
    expect(rows).toContainEqual({ src_app: 'a', dest_app: 'b|c', vpc_id: 'v', hour, bytes_tx: 200, bytes_rx: 0 });
  });

  it('keeps totals past 2^53 digit-exact, summed within one flush and across flushes', async () => {
    const hour = freshHour();
    const max = Number.MAX_SAFE_INTEGER; // 9007199254740991
    await post([record({ hour, bytes_tx: max, bytes_rx: max }), record({ hour, bytes_tx: max, bytes_rx: 1 })])
      .expect(200);
    await post([record({ hour, bytes_tx: max, bytes_rx: 2 })]).expect(200);
    const res = await getHour(hour).expect(200);
    // 3 × 9007199254740991 = 27021597764222973 and 9007199254740991 + 3 = 9007199254740994: neither is a double.
    expect(res.text).toContain('"bytes_tx":27021597764222973,');
    expect(res.text).toContain('"bytes_rx":9007199254740994}');
  });

  it('stores totals as Int64 in MongoDB', async () => {
    const hour = freshHour();
    await post([record({ hour, bytes_tx: 1, bytes_rx: 2 })]).expect(200);
    const types = await withMongo(service.settings.mongodbUri, (client) =>
      client
        .db(service.settings.mongodbDatabase)
        .collection(service.settings.mongodbCollection)
        .aggregate([{ $match: { hour } }, { $project: { tx: { $type: '$bytes_tx' }, rx: { $type: '$bytes_rx' } } }])
        .toArray(),
    );
    expect(types).toEqual([expect.objectContaining({ tx: 'long', rx: 'long' })]);
  });

  it('sums 200 concurrent POSTs to one key exactly', async () => {
    const hour = freshHour();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post([record({ hour, bytes_tx: i + 1, bytes_rx: 2 * (i + 1) })])),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    const rows = (await getHour(hour).expect(200)).body;
    expect(rows).toEqual([expect.objectContaining({ bytes_tx: 20100, bytes_rx: 40200 })]);
  });

  it('accepts a gzip-encoded body', async () => {
    const hour = freshHour();
    const { gzipSync } = await import('node:zlib');
    const postGzip = (body: Buffer) =>
      fetch(`${service.url}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body,
      });
    const ok = await postGzip(gzipSync(JSON.stringify([record({ hour })])));
    expect([ok.status, await ok.json()]).toEqual([200, { accepted: 1 }]);
    const corrupt = await postGzip(Buffer.from('not gzip at all'));
    expect([corrupt.status, ((await corrupt.json()) as { error: string }).error]).toEqual([400, 'malformed_body']);
  });
});

describe('bad input gets a clear 4xx and stores nothing', () => {
  const valid = () => record({ hour: 7 });
  const long = 'x'.repeat(257);
  const cases: [string, unknown, string, number?, string?][] = [
    // name, bad record, field, index
    ['bytes_tx as a string', { bytes_tx: '100' }, 'bytes_tx'],
    ['hour as a string', { hour: '1' }, 'hour'],
    ['a float', { bytes_rx: 1.5 }, 'bytes_rx'],
    ['a negative count', { bytes_tx: -1 }, 'bytes_tx'],
    ['a negative hour', { hour: -1 }, 'hour'],
    ['an hour past 2^31 - 1', { hour: 2 ** 31 }, 'hour'],
    ['a boolean', { bytes_tx: true }, 'bytes_tx'],
    ['null', { bytes_rx: null }, 'bytes_rx'],
    ['an object as a name', { src_app: { $gt: '' } }, 'src_app'],
    ['an array as a name', { vpc_id: ['vpc-0'] }, 'vpc_id'],
    ['a number as a name', { dest_app: 5 }, 'dest_app'],
    ['an empty name', { src_app: '' }, 'src_app'],
    ['an over-long name', { dest_app: long }, 'dest_app'],
    ['a control character', { vpc_id: 'vpc\n0' }, 'vpc_id'],
    ['a NUL character', { src_app: 'a\u0000b' }, 'src_app'],
    ['a lone surrogate', { src_app: 'a\ud800' }, 'src_app'],
    ['an unsafe integer', { bytes_tx: 2 ** 53 }, 'bytes_tx'],
    ['an unknown field', { extra: 1 }, 'extra'],
    ['a constructor field', { constructor: { prototype: { polluted: true } } }, 'constructor'],
  ];

  it.each(cases)('rejects %s with 400 naming the record and field', async (_name, bad, field) => {
    const hour = freshHour();
    const batch = [record({ hour }), record({ hour, ...(bad as object) }), record({ hour })];
    const res = await post(batch).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_record', index: 1, field });
    expect(res.body.message).toContain('record 1');
    expect((await getHour(hour)).text).toBe('[]');
  });

  it('rejects a missing field with 400 naming it', async () => {
    const hour = freshHour();
    const { bytes_rx: _dropped, ...incomplete } = record({ hour });
    const res = await post([record({ hour }), incomplete]).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_record', index: 1, field: 'bytes_rx' });
    expect((await getHour(hour)).text).toBe('[]');
  });

  it('rejects a record that is not an object', async () => {
    const res = await post([valid(), 'flow']).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_record', index: 1 });
  });

  it('rejects a number beyond 2^53 that JSON.parse would round', async () => {
    const hour = freshHour();
    const body = `[{"src_app":"a","dest_app":"b","vpc_id":"v","bytes_tx":9007199254740993,"bytes_rx":0,"hour":${hour}}]`;
    const res = await request(service.url).post('/flows').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_record', field: 'bytes_tx' });
  });

  it('rejects __proto__ keys without polluting any prototype', async () => {
    const hour = freshHour();
    const body = `[{"src_app":"a","dest_app":"b","vpc_id":"v","bytes_tx":1,"bytes_rx":1,"hour":${hour},"__proto__":{"polluted":true}}]`;
    const res = await request(service.url).post('/flows').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await getHour(hour)).text).toBe('[]');
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await request(service.url).post('/flows').set('Content-Type', 'application/json').send('[{"src_app":');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_json');
  });

  it.each([
    ['an object', '{"src_app":"a"}'],
    ['a string', '"flows"'],
    ['a number', '42'],
    ['an empty body', ''],
  ])('rejects %s as the body with 400', async (_name, body) => {
    const res = await request(service.url).post('/flows').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(['invalid_body', 'malformed_json']).toContain(res.body.error);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['no content type', undefined],
  ])('rejects %s with 415', async (_name, type) => {
    const req = request(service.url).post('/flows');
    if (type) req.set('Content-Type', type);
    const res = await req.send(Buffer.from(JSON.stringify([valid()])));
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('unsupported_media_type');
  });

  it('rejects an unsupported content encoding with 415', async () => {
    const res = await request(service.url)
      .post('/flows')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send(JSON.stringify([valid()]));
    expect(res.status).toBe(415);
  });

  it.each([
    ['missing', ''],
    ['empty', '?hour='],
    ['not an integer', '?hour=1.5'],
    ['negative', '?hour=-1'],
    ['a word', '?hour=abc'],
    ['an exponent', '?hour=1e3'],
    ['absurdly large', '?hour=99999999999999999999'],
    ['past 2^31 - 1', '?hour=2147483648'],
    ['given twice', '?hour=1&hour=2'],
  ])('rejects an hour that is %s with 400', async (_name, query) => {
    const res = await request(service.url).get(`/flows${query}`).expect(400);
    expect(res.body.error).toBe('invalid_hour');
    expect(res.body.message).toMatch(/hour must be an integer/);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const notFound = await request(service.url).get('/nope').expect(404);
    expect(notFound.body.error).toBe('not_found');
    const wrong = await request(service.url).delete('/flows').expect(405);
    expect(wrong.body.error).toBe('method_not_allowed');
    expect(wrong.headers.allow).toMatch(/GET/);
    expect(wrong.headers.allow).toMatch(/POST/);
  });
});

describe('limits', () => {
  let limited: RunningService;
  beforeAll(async () => {
    limited = await startService({ bodyLimit: '2kb', maxRecordsPerBatch: 3, pendingMaxRecords: 3 });
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('answers a body over the limit with 413', async () => {
    const res = await request(limited.url)
      .post('/flows')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify([record({ src_app: 'y'.repeat(250), dest_app: 'z'.repeat(250) })]).repeat(1).padEnd(3000));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('answers more records than the maximum with 413', async () => {
    const res = await request(limited.url).post('/flows').send([record(), record(), record(), record()]);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'too_many_records', records: 4 });
  });

  it('default limits take a batch of 10,000 records', async () => {
    const hour = freshHour();
    const batch = Array.from({ length: 10_000 }, (_, i) =>
      record({ hour, src_app: `source-application-${i % 10}`, dest_app: `destination-${i % 3}`, vpc_id: 'vpc-0a1b2c3d4e5f' }),
    );
    await post(batch).expect(200, { accepted: 10_000 });
    const rows = (await getHour(hour).expect(200)).body;
    expect(rows).toHaveLength(30);
    expect(rows.reduce((sum: number, r: { bytes_tx: number }) => sum + r.bytes_tx, 0)).toBe(1_000_000);
  });
});
