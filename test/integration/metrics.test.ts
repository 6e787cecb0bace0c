import request from 'supertest';
import { metricSample, RunningService, startService } from '../support/service';

let service: RunningService;

beforeAll(async () => {
  // A long window so that requests sent together surely share a flush; nothing here measures time.
  service = await startService({ flushWindowMs: 200 });
});
afterAll(async () => {
  await service.stop();
});

const scrape = async () => (await request(service.url).get('/metrics').expect(200)).text;

const batch = (hour: number, n: number, src = 'a') =>
  Array.from({ length: n }, (_, i) => ({
    src_app: src,
    dest_app: `d${i % 7}`,
    vpc_id: 'vpc-0',
    bytes_tx: 1,
    bytes_rx: 2,
    hour,
  }));

test('GET /metrics answers the Prometheus text format with the service and process series', async () => {
  await request(service.url).post('/flows').send(batch(1, 3)).expect(200);
  await request(service.url).get('/flows?hour=1').expect(200);
  await request(service.url).get('/no/such/path/42').expect(404);
  const res = await request(service.url).get('/metrics').expect(200).expect('Content-Type', /text\/plain/);
  for (const name of [
    'fas_http_request_duration_seconds_bucket',
    'fas_flows_ingested_total',
    'fas_flush_records_bucket',
    'fas_flush_keys_bucket',
    'fas_flush_upserts_bucket',
    'fas_flush_duration_seconds_bucket',
    'fas_pending_records',
    'fas_mongodb_write_commands_total',
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
  ]) {
    expect(res.text).toContain(`\n${name}`);
  }
  expect(res.text).toContain('# TYPE fas_mongodb_errors_total counter');
  // Routes are labelled by the matched path; a URL no route matches never becomes a label of its own.
  expect(res.text).toMatch(/fas_http_request_duration_seconds_count\{route="\/flows",method="POST",status="200"\} \d/);
  expect(res.text).toMatch(/fas_http_request_duration_seconds_count\{route="\/flows",method="GET",status="200"\} \d/);
  expect(res.text).toMatch(/fas_http_request_duration_seconds_count\{route="unmatched",method="GET",status="404"\} \d/);
  expect(res.text).not.toContain('/no/such/path');
});

test('ingesting N records raises fas_flows_ingested_total by N', async () => {
  const before = metricSample(await scrape(), 'fas_flows_ingested_total');
  await request(service.url).post('/flows').send(batch(2, 40)).expect(200, { accepted: 40 });
  await request(service.url).post('/flow').send(batch(2, 2)).expect(200, { accepted: 2 });
  const after = metricSample(await scrape(), 'fas_flows_ingested_total');
  expect(after - before).toBe(42);
});

test('a flush of many concurrent requests sends at most two write commands: the key documents, the roll-ups', async () => {
  const text = await scrape();
  const flushesBefore = metricSample(text, 'fas_flush_records_count');
  const writesBefore = metricSample(text, 'fas_mongodb_write_commands_total{command="update"}');
  const requests = 20;
  await Promise.all(
    Array.from({ length: requests }, (_, i) =>
      request(service.url).post('/flows').send(batch(3, 50, `src-${i}`)).expect(200, { accepted: 50 }),
    ),
  );
  const after = await scrape();
  const flushes = metricSample(after, 'fas_flush_records_count') - flushesBefore;
  const writes = metricSample(after, 'fas_mongodb_write_commands_total{command="update"}') - writesBefore;
  expect(flushes).toBeGreaterThanOrEqual(1);
  expect(flushes).toBeLessThan(requests);
  expect(writes).toBeLessThanOrEqual(2 * flushes);
  expect(writes).toBeGreaterThanOrEqual(2);
  expect(metricSample(after, 'fas_pending_records')).toBe(0);
});

test('fas_flush_upserts counts one upsert per key and one per roll-up document', async () => {
  const before = await scrape();
  // 3 keys of one hour: two src apps, one dest app, two VPCs. Roll-up documents per hour: 2 + 1 + 2 + 1 (src,
  // dest, VPC, total); per day 2 + 2 + 1 (src, VPC, total).
  const records = [
    { src_app: 'a', dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 5 },
    { src_app: 'a', dest_app: 'd', vpc_id: 'w', bytes_tx: 1, bytes_rx: 1, hour: 5 },
    { src_app: 'b', dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 1, hour: 5 },
  ];
  await request(service.url).post('/flows').send(records).expect(200);
  const after = await scrape();
  const delta = (series: string) => metricSample(after, series) - metricSample(before, series);
  expect([delta('fas_flush_keys_sum'), delta('fas_flush_upserts_sum')]).toEqual([3, 3 + (2 + 1 + 2 + 1) + (2 + 2 + 1)]);
});

test('two services in one process keep separate registries', async () => {
  const other = await startService();
  try {
    await request(other.url).post('/flows').send(batch(4, 5)).expect(200);
    const otherText = (await request(other.url).get('/metrics').expect(200)).text;
    expect(metricSample(otherText, 'fas_flows_ingested_total')).toBe(5);
  } finally {
    await other.stop();
  }
});
