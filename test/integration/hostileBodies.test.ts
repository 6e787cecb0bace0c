import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { RunningService, startService, withCollection } from '../support/service';

let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

const recordText = (src: string, hour: number, extra = '') =>
  `{"src_app":"${src}","dest_app":"d","vpc_id":"v","bytes_tx":1,"bytes_rx":2,"hour":${hour}${extra}}`;

/** A raw POST of bytes, so nothing on the way re-encodes them. */
const postBytes = (body: Buffer, headers: Record<string, string> = {}) =>
  fetch(`${service.url}/flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

const stored = (filter: object) =>
  withCollection(service, (c) => c.find(filter, { projection: { _id: 0, src_app: 1, bytes_tx: 1 } }).toArray());

describe('a body that is not an array of flat records', () => {
  it('is refused before it is parsed: 2.6 million nested brackets in a 5 KB gzip body', async () => {
    const depth = 2_621_430;
    const body = gzipSync(Buffer.from('['.repeat(depth) + ']'.repeat(depth)), { level: 9 });
    expect(body.length).toBeLessThan(6000);
    const res = await postBytes(body, { 'Content-Encoding': 'gzip' });
    expect(res).toEqual({
      status: 400,
      body: { error: 'invalid_body', message: 'the body must be a JSON array of flat flow records: it nests deeper' },
    });
  });

  it('refuses a field whose value nests deeper than an object, without parsing it', async () => {
    const deep = '{"a":'.repeat(500_000) + '1' + '}'.repeat(500_000);
    const res = await postBytes(Buffer.from(`[${recordText('flat', 11)},${recordText('nested', 11).replace('"d"', deep)}]`));
    expect(res).toEqual({
      status: 400,
      body: { error: 'invalid_body', message: 'the body must be a JSON array of flat flow records: it nests deeper' },
    });
  });

  it('names the record and field whose value is an object or array, as any invalid record', async () => {
    const res = await postBytes(Buffer.from(`[${recordText('flat', 11)},${recordText('nested', 11).replace('"d"', '{"$gt":[]}')}]`));
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_record', index: 1, field: 'dest_app' } });
  });

  it('refuses more records than a batch holds while it reads them: 1.7 million empty arrays in a 5 KB gzip body', async () => {
    const body = gzipSync(Buffer.from(`[${'[],'.repeat(1_747_000)}[]]`), { level: 9 });
    expect(body.length).toBeLessThan(10_000);
    const res = await postBytes(body, { 'Content-Encoding': 'gzip' });
    expect(res).toEqual({
      status: 413,
      body: { error: 'too_many_records', message: 'a batch holds at most 10000 records', records: 10_001 },
    });
  });

  it('still reads brackets and braces inside names as names', async () => {
    const name = '[{\\"[[[';
    const res = await postBytes(Buffer.from(`[${recordText(name, 12)}]`));
    expect(res).toEqual({ status: 200, body: { accepted: 1 } });
    expect(await stored({ hour: 12 })).toEqual([{ src_app: '[{"[[[', bytes_tx: 1 }]);
  });
});

describe('a key given twice in a record', () => {
  it('is refused, naming the record and the field, and nothing of the batch is stored', async () => {
    const twice = recordText('twice', 13).replace('"bytes_tx":1', '"bytes_tx":-5,"bytes_tx":2');
    const res = await postBytes(Buffer.from(`[${recordText('once', 13)},${twice}]`));
    expect(res).toEqual({
      status: 400,
      body: { error: 'invalid_record', index: 1, field: 'bytes_tx', message: 'record 1: "bytes_tx" is given more than once' },
    });
    expect(await stored({ hour: 13 })).toEqual([]);
  });

  it('is refused when the two spellings differ only by escapes', async () => {
    const twice = recordText('escaped', 14).replace('"hour"', '"\\u0068our":14,"hour"');
    const res = await postBytes(Buffer.from(`[${twice}]`));
    expect(res.body).toMatchObject({ error: 'invalid_record', index: 0, field: 'hour' });
  });
});

describe('names arrive as sent', () => {
  it.each([
    ['xff', [0xff]],
    ['xfe', [0xfe]],
    ['a lone lead byte', [0xc3]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('refuses bytes that are not UTF-8 (%s) with 400 naming the problem, storing nothing', async (_name, bytes) => {
    const [head, tail] = recordText('x\u0000', 15).split('\u0000');
    const res = await postBytes(Buffer.concat([Buffer.from(`[${head}`), Buffer.from(bytes), Buffer.from(`${tail}]`)]));
    expect(res).toEqual({ status: 400, body: { error: 'invalid_utf8', message: 'the body is not valid UTF-8' } });
    expect(await stored({ hour: 15 })).toEqual([]);
  });

  it('keeps names that differ in one character apart, stored exactly', async () => {
    const names = ['x\u00ff', 'x\u00fe', 'x\u00c3', 'x\ufffd'];
    const res = await postBytes(Buffer.from(`[${names.map((n) => recordText(n, 16)).join(',')}]`, 'utf8'));
    expect(res.status).toBe(200);
    const rows = await stored({ hour: 16 });
    expect(rows.map((r) => r.src_app).sort()).toEqual([...names].sort());
  });

  it.each(['iso-8859-1', 'utf-16', 'windows-1252'])('refuses charset=%s with 415', async (charset) => {
    const res = await postBytes(Buffer.from(`[${recordText('latin', 17)}]`, 'latin1'), {
      'Content-Type': `application/json; charset=${charset}`,
    });
    expect(res).toEqual({
      status: 415,
      body: { error: 'unsupported_media_type', message: 'the body must be UTF-8: charset=utf-8, or no charset' },
    });
    expect(await stored({ hour: 17 })).toEqual([]);
  });

  it.each(['utf-8', 'UTF-8', 'utf8'])('accepts charset=%s', async (charset) => {
    const res = await request(service.url)
      .post('/flows')
      .set('Content-Type', `application/json; charset=${charset}`)
      .send(`[${recordText('caf\u00e9', 18)}]`);
    expect(res.status).toBe(200);
  });
});
