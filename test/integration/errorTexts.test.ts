import { connect } from 'node:net';
import request from 'supertest';
import { capturedLogger } from '../support/capturedLogs';
import { useChildService } from '../support/childService';
import { metricSample, RunningService, startService, waitFor } from '../support/service';

/** Something only the request holds: an answer that contains it echoed the request. */
const MARKER = 'echo-me-9f3c';

let service: RunningService;
let url: string;
const { logger, lines: logLines } = capturedLogger();

beforeAll(async () => {
  service = await startService({ httpHeadersTimeoutMs: 1000, httpRequestTimeoutMs: 2000 }, { logger });
  url = service.url;
});
afterAll(() => service.stop());

describe('error bodies hold fixed texts: no server path, stack or echoed request', () => {
  it.each([
    ['no route', `/${MARKER}${'b'.repeat(5000)}`, 404],
    ['a method the path lacks', '/metrics', 405, 'post'],
    ['a bad by', `/flows?from=1&to=2&by=${MARKER}`, 400],
  ])('%s', async (_name, path, status, method = 'get') => {
    const res = await request(url)[method as 'get'](path).expect(status);
    expect(res.text).not.toMatch(new RegExp(`${MARKER}|ENOENT|ENAMETOOLONG|/dist/|${process.cwd()}|\\sat \\S+:\\d+`));
    expect(res.text.length).toBeLessThan(300);
  });

  // The console's files exist only in the build: the built service, as it runs.
  describe('of the console, as the built service serves it', () => {
    const built = useChildService();
    it.each([
      ['a missing asset', '/assets/nope.js'],
      ['an asset name too long for the file system', `/assets/${MARKER}${'a'.repeat(5000)}.js`],
      ['an asset name that climbs out', '/assets/..%2f..%2fpackage.json'],
    ])('%s', async (_name, path) => {
      const res = await fetch(`${built().url}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not_found', message: 'nothing is served at this path' });
    });
  });

  it('names an unknown parameter by its first 64 characters at most', async () => {
    const name = `${MARKER}${'c'.repeat(5000)}`;
    const res = await request(url).get(`/flows?${name}=1`).expect(400);
    expect(res.body.parameter).toBe(`${name.slice(0, 64)}…`);
    expect(res.text.length).toBeLessThan(400);
  });

  it.each([
    ['a malformed body, which JSON.parse quotes', `[${MARKER}]`],
    ['a body cut short', `[{"src_app": "${MARKER}`],
  ])('%s', async (_name, body) => {
    const res = await request(url).post('/flows').set('Content-Type', 'application/json').send(body).expect(400);
    expect(res.body.error).toBe('malformed_json');
    expect(res.text).not.toContain(MARKER);
  });

  it('names where a body stops being JSON, by position only', async () => {
    const res = await request(url).post('/flows').set('Content-Type', 'application/json').send('[1 2]').expect(400);
    expect(res.body).toEqual({ error: 'malformed_json', message: 'the body is not valid JSON (at character 3)' });
  });
});

describe('a body sent too slowly', () => {
  const series = (status: number) => `fas_http_request_duration_seconds_count{route="/flows",method="POST",status="${status}"}`;

  it('is logged and counted as 408 at info level, as Node answered it', async () => {
    const before = (await request(url).get('/metrics')).text;
    const logged = logLines.length;
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect(Number(new URL(url).port), '127.0.0.1', () =>
        socket.write('POST /flows HTTP/1.1\r\nHost: fas\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n['),
      );
      socket.on('data', (chunk) => (text += chunk));
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    const since = () => logLines.slice(logged);
    await waitFor(() => since().some((l) => l.message === 'request'));
    expect(since()).toEqual([expect.objectContaining({ message: 'request', level: 'info', status: 408, path: '/flows' })]);
    const after = (await request(url).get('/metrics')).text;
    expect(metricSample(after, series(408)) - metricSample(before, series(408))).toBe(1);
    expect(metricSample(after, series(400))).toBe(metricSample(before, series(400)));
  });
});
