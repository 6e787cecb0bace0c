import request from 'supertest';
import { RunningService, startService } from '../support/service';

let service: RunningService;

beforeAll(async () => {
  service = await startService({ maxQueryHours: 24 });
});
afterAll(async () => {
  await service.stop();
});

const get = (query: string) => request(service.url).get(`/flows?${query}`);
const range = 'from=10&to=12';
const names = (n: number) => Array.from({ length: n }, (_, i) => `src_app=app-${i}`).join('&');

describe('every bad read parameter gets 400 naming it', () => {
  it.each([
    ['an unknown parameter', `${range}&srcapp=x`, 'srcapp'],
    ['an unknown parameter beside hour', 'hour=1&foo=2', 'foo'],
    ['from without to', 'from=10', 'to'],
    ['to without from', 'to=10', 'from'],
    ['hour with from', 'hour=1&from=1&to=2', 'from'],
    ['hour with to', 'hour=1&to=2', 'to'],
    ['from that is not an integer', 'from=1.5&to=2', 'from'],
    ['from that is negative', 'from=-1&to=2', 'from'],
    ['to past 2^31 - 1', 'from=1&to=2147483648', 'to'],
    ['from given twice', 'from=1&from=2&to=3', 'from'],
    ['to before from', 'from=12&to=11', 'to'],
    ['an empty filter value', `${range}&dest_app=`, 'dest_app'],
    ['a filter value with a control character', `${range}&vpc_id=a%01b`, 'vpc_id'],
    ['a filter value longer than 256 characters', `${range}&src_app=${'x'.repeat(257)}`, 'src_app'],
    ['more than 100 values of a filter', `${range}&${names(101)}`, 'src_app'],
    ['by naming an unknown field', `${range}&by=src_app,bytes_tx`, 'by'],
    ['by that is empty', `${range}&by=`, 'by'],
    ['by naming a field twice', `${range}&by=hour,hour`, 'by'],
    ['by given twice', `${range}&by=hour&by=src_app`, 'by'],
    ['sort by an unknown total', `${range}&sort=bytes_total`, 'sort'],
    ['sort ascending', `${range}&sort=-bytes`, 'sort'],
    ['limit 0', `${range}&limit=0`, 'limit'],
    ['limit past 10,000', `${range}&limit=10001`, 'limit'],
    ['limit that is not an integer', `${range}&limit=ten`, 'limit'],
    ['a cursor that is not one', `${range}&cursor=x`, 'cursor'],
  ])('%s', async (_name, query, parameter) => {
    const res = await get(query).expect(400).expect('Content-Type', /application\/json/);
    expect(res.body).toEqual({ error: 'invalid_parameter', parameter, message: expect.stringContaining(parameter) });
  });

  it('states the limit when a range is too long', async () => {
    const res = await get('from=10&to=34').expect(400);
    expect(res.body).toEqual({
      error: 'range_too_long',
      max_hours: 24,
      message: 'from 10 to 34 spans 25 hours; a read spans at most 24 (MAX_QUERY_HOURS)',
    });
  });

  it('takes a range of exactly MAX_QUERY_HOURS hours and 100 values of a filter', async () => {
    await get(`from=10&to=33&${names(100)}`).expect(200, '[]');
  });

  it('answers 431 when filter values the document allows make the URL longer than 16 KB', async () => {
    const longNames = Array.from({ length: 100 }, (_, i) => `src_app=${String(i).padStart(256, 'x')}`).join('&');
    await get(`${range}&${longNames}`).expect(431);
  });

  it('keeps the original answer to a read without hour', async () => {
    const res = await get('').expect(400);
    expect(res.body).toEqual({ error: 'invalid_hour', message: 'query parameter hour must be an integer from 0 to 2147483647' });
  });
});
