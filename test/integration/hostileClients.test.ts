import { connect, Socket } from 'node:net';
import request from 'supertest';
import { freePort } from '../support/disposableMongo';
import { RunningService, startService, withMongo } from '../support/service';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
// Node checks these timeouts once a second (the service sets connectionsCheckingInterval), plus CI slack.
const MARGIN_MS = 1000 + 1000;

/**
 * Opens a raw connection, writes `first`, then one character of `drip` (if any) every 200 ms; resolves when
 * the server closes the connection.
 */
function slowClient(port: number, first: string, drip: string): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(first));
    let answer = '';
    let sent = 0;
    const timer = drip ? setInterval(() => socket.write(drip[sent++ % drip.length]), 200) : undefined;
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, answer });
    });
  });
}

describe('slow clients', () => {
  let service: RunningService;
  let port: number;
  beforeAll(async () => {
    service = await startService({
      httpHeadersTimeoutMs: HEADERS_TIMEOUT_MS,
      httpRequestTimeoutMs: REQUEST_TIMEOUT_MS,
      httpKeepAliveTimeoutMs: 1000,
    });
    port = Number(new URL(service.url).port);
  });
  afterAll(() => service.stop());

  it('cuts off a client that sends its headers slowly', async () => {
    const { ms, answer } = await slowClient(port, 'POST /flows HTTP/1.1\r\nHost: fas\r\n', 'X-Slow: 1\r\n');
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + MARGIN_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client that sends its body slowly', async () => {
    const head = 'POST /flows HTTP/1.1\r\nHost: fas\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[';
    const { ms } = await slowClient(port, head, ' ');
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
  });

  it('closes an idle keep-alive connection', async () => {
    const { ms, answer } = await slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: fas\r\n\r\n', '');
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeLessThan(service.settings.httpKeepAliveTimeoutMs + MARGIN_MS);
  });
});

describe('security headers', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.stop());

  it.each([
    ['GET', '/healthz', 200],
    ['GET', '/readyz', 200],
    ['GET', '/flows?hour=1', 200],
    ['GET', '/flows?hour=x', 400],
    ['GET', '/nowhere', 404],
    ['DELETE', '/flows', 405],
    ['POST', '/flows', 415],
  ])('%s %s (%i) carries them', async (method, path, status) => {
    const res = await request(service.url)[method.toLowerCase() as 'get'](path).expect(status);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
  });
});

describe('what error bodies reveal', () => {
  let service: RunningService;
  beforeAll(async () => {
    // A MongoDB that is not there: the driver's errors stay in the log.
    service = await startService({ mongodbUri: `mongodb://127.0.0.1:${await freePort()}/` }, { waitReady: false });
  });
  afterAll(() => service.stop());

  it.each([
    ['POST', '/flows'],
    ['GET', '/flows?hour=1'],
  ])('%s %s answers 503 with the documented body only', async (method, path) => {
    const req = method === 'POST' ? request(service.url).post(path).send([]) : request(service.url).get(path);
    const res = await req.expect(503);
    expect(res.body).toEqual({
      error: 'storage_unavailable',
      message: 'MongoDB is unavailable or did not acknowledge the operation; retry later',
    });
    expect(res.text).not.toMatch(/stack|\bat \w|ECONNREFUSED|127\.0\.0\.1|Mongo\w*Error/);
  });
});

describe('MongoDB operator injection', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.stop());

  it.each(['hour=%7B%22%24gt%22%3A0%7D', 'hour=1&hour=2', 'hour=1e3', 'hour=0x10'])(
    'refuses the query %s',
    async (query) => {
      const res = await request(service.url).get(`/flows?${query}`).expect(400);
      expect(res.body.error).toBe('invalid_hour');
    },
  );

  it.each([
    ['hour[$gt]=0', 'hour[$gt]'],
    ['from=1&to=2&src_app[$ne]=x', 'src_app[$ne]'],
    ['from[$lt]=5&to=6', 'from[$lt]'],
  ])('refuses the query %s as an unknown parameter', async (query, parameter) => {
    const res = await request(service.url).get(`/flows?${query}`).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_parameter', parameter });
  });

  it('reads an operator given as a filter value as a plain name', async () => {
    await request(service.url)
      .post('/flows')
      .send([{ src_app: 'a', dest_app: 'b', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 7 }])
      .expect(200);
    const operator = encodeURIComponent(JSON.stringify({ $gt: '' }));
    await request(service.url).get(`/flows?from=7&to=7&src_app=${operator}`).expect(200, '[]');
  });

  it.each([{ $gt: '' }, { $where: 'sleep(1000)' }, ['$gt'], { $ne: null }])('refuses the name %j', async (name) => {
    const body = [{ src_app: name, dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 1 }];
    const res = await request(service.url).post('/flows').send(body).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_record', field: 'src_app' });
  });

  it('refuses an operator in place of a count or an hour', async () => {
    for (const field of ['bytes_tx', 'hour']) {
      const body = [{ src_app: 's', dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 1, [field]: { $inc: 1 } }];
      const res = await request(service.url).post('/flows').send(body).expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_record', field });
    }
  });

  it('stores operator-like names literally', async () => {
    const names = ['$where', '$set', 'a.$[]', '{"$gt":""}'];
    const body = names.map((n) => ({ src_app: n, dest_app: '$inc', vpc_id: '$$ROOT', bytes_tx: 2, bytes_rx: 3, hour: 77 }));
    await request(service.url).post('/flows').send(body).expect(200);
    const stored = await withMongo(service.settings.mongodbUri, (client) =>
      client
        .db(service.settings.mongodbDatabase)
        .collection('flows_hourly')
        .find({ hour: 77 }, { projection: { _id: 0, src_app: 1, dest_app: 1, vpc_id: 1 } })
        .toArray(),
    );
    expect(stored.map((d) => d.src_app).sort()).toEqual([...names].sort());
    for (const doc of stored) expect(doc).toMatchObject({ dest_app: '$inc', vpc_id: '$$ROOT' });
  });
});
