import { freePort } from '../support/disposableMongo';
import { ChildService, spawnService } from '../support/childService';

/** The built service with METRICS_PORT: /metrics moves there, so a NetworkPolicy can keep it to Prometheus. */
describe('GET /metrics on a port of its own', () => {
  let service: ChildService;
  let metricsUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    service = await spawnService({ METRICS_PORT: String(port) });
  });
  afterAll(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
  });

  it('answers there, with the security headers, and no longer on the API port', async () => {
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('fas_http_request_duration_seconds');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/flows?hour=1`)).status).toBe(404);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });
});
