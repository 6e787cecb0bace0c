import request from 'supertest';
import { MAX_HOUR } from '../../app/api/constants';
import { recordCoverage } from '../../app/storage/rollupCoverage';
import { mongoUri, RunningService, startService, uniqueDatabase, withMongo } from '../support/service';

const record = (hour: number) => ({ src_app: 's', dest_app: 'd', vpc_id: 'v', bytes_tx: 0, bytes_rx: 0, hour });

describe('GET /hours', () => {
  let service: RunningService;
  let upgraded: RunningService;

  beforeAll(async () => {
    service = await startService({ maxQueryHours: 100 });
    // Roll-ups cover only hours from 1,000 on: an earlier latest hour is found in the key documents.
    const database = uniqueDatabase();
    await withMongo(mongoUri(), (client) => recordCoverage(client.db(database).collection('flows_hourly.coverage'), 1000));
    upgraded = await startService({ mongodbDatabase: database });
  });
  afterAll(async () => {
    await Promise.all([service.stop(), upgraded.stop()]);
  });

  it('answers null for the latest hour before any data, and MAX_QUERY_HOURS', async () => {
    const res = await request(service.url).get('/hours').expect(200);
    expect(res.body).toEqual({ latest: null, max_query_hours: 100 });
  });

  it('answers the latest hour holding data, at or before until', async () => {
    for (const s of [service, upgraded]) {
      // A record of zero bytes is data too: its key has a row.
      await request(s.url).post('/flows').send([record(5), record(900), record(300)]).expect(200);
      const latest = async (query: string) => (await request(s.url).get(`/hours${query}`).expect(200)).body.latest;
      expect(await latest('')).toBe(900);
      expect([await latest('?until=900'), await latest('?until=899'), await latest('?until=5'), await latest('?until=4')]).toEqual([
        900, 300, 5, null,
      ]);
      expect(await latest(`?until=${MAX_HOUR}`)).toBe(900);
    }
    await request(upgraded.url).post('/flows').send([record(1200)]).expect(200);
    expect((await request(upgraded.url).get('/hours').expect(200)).body.latest).toBe(1200);
    expect((await request(upgraded.url).get('/hours?until=1199').expect(200)).body.latest).toBe(900);
  });

  it.each([
    ['until=x', 'until'],
    ['until=-1', 'until'],
    ['until=1e3', 'until'],
    [`until=${MAX_HOUR + 1}`, 'until'],
    ['until=', 'until'],
    ['until=1&until=2', 'until'],
    ['hour=1', 'hour'],
  ])('refuses ?%s naming the parameter', async (query, parameter) => {
    const res = await request(service.url).get(`/hours?${query}`).expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_parameter', parameter });
  });
});
