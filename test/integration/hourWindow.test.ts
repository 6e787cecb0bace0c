import request from 'supertest';
import { RunningService, startService, withCollection } from '../support/service';

const HOUR_MS = 3_600_000;
const NOW_HOUR = 499_000; // 2026-12-04T16:00Z
const clock = () => NOW_HOUR * HOUR_MS + 1000;

const record = (src: string, hour: number) => ({ src_app: src, dest_app: 'd', vpc_id: 'v', bytes_tx: 1, bytes_rx: 2, hour });

const post = (service: RunningService, hours: number[], src: string) =>
  request(service.url).post('/flows').send(hours.map((hour) => record(src, hour)));

const storedCount = (service: RunningService, src: string) =>
  withCollection(service, (c) => c.countDocuments({ src_app: src }));

describe('the accepted window of hours, by default', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({}, { now: clock });
  });
  afterAll(() => service.stop());

  it('accepts hours up to a day after the current one, and any hour before it', async () => {
    await post(service, [0, NOW_HOUR - 100_000, NOW_HOUR, NOW_HOUR + 24], 'within').expect(200, { accepted: 4 });
  });

  it.each([
    ['the next hour past the window', NOW_HOUR + 25],
    ['an hour 100,000 ahead', NOW_HOUR + 100_000],
    ['the largest hour', 2_147_483_647],
  ])('refuses %s like an expired one, naming it, and stores nothing of the batch', async (_name, hour) => {
    const res = await post(service, [NOW_HOUR, hour], 'ahead').expect(400);
    expect(res.body).toEqual({
      error: 'invalid_record',
      index: 1,
      field: 'hour',
      message:
        `record 1: hour ${hour} is more than 24 hours after the current UTC hour, ${NOW_HOUR} (MAX_FUTURE_HOURS): ` +
        `the newest hour accepted is ${NOW_HOUR + 24}`,
    });
    expect(await storedCount(service, 'ahead')).toBe(0);
  });

  it('says so when the hour looks like seconds since the epoch', async () => {
    const seconds = Math.floor(clock() / 1000);
    const res = await post(service, [seconds], 'seconds').expect(400);
    expect(res.body).toEqual({
      error: 'invalid_record',
      index: 0,
      field: 'hour',
      message:
        `record 0: hour ${seconds} looks like seconds since the epoch: hour counts hours since the epoch, ` +
        `seconds / 3600 rounded down (the current hour is ${NOW_HOUR})`,
    });
  });
});

describe('the accepted window of hours with retention, or with MAX_FUTURE_HOURS off', () => {
  let bounded: RunningService;
  let open: RunningService;
  beforeAll(async () => {
    [bounded, open] = await Promise.all([
      startService({ retentionHours: 48, maxFutureHours: 2 }, { now: clock }),
      startService({ maxFutureHours: 0 }, { now: clock }),
    ]);
  });
  afterAll(() => Promise.all([bounded.stop(), open.stop()]));

  it('keeps both ends: retention before the current hour, MAX_FUTURE_HOURS after it', async () => {
    await post(bounded, [NOW_HOUR - 48, NOW_HOUR + 2], 'edges').expect(200, { accepted: 2 });
    expect((await post(bounded, [NOW_HOUR - 49], 'old').expect(400)).body.message).toMatch(/past the retention of 48 hours/);
    expect((await post(bounded, [NOW_HOUR + 3], 'new').expect(400)).body.message).toMatch(/more than 2 hours after/);
  });

  it('accepts any hour when MAX_FUTURE_HOURS is 0, for clients that number hours their own way', async () => {
    await post(open, [2_147_483_647, Math.floor(clock() / 1000)], 'own').expect(200, { accepted: 2 });
    expect(await storedCount(open, 'own')).toBe(2);
  });
});
