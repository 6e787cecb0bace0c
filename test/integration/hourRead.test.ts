import request from 'supertest';
import { CommandStartedEvent } from 'mongodb';
import { keyDocument, RunningService, startService, withCollection } from '../support/service';

let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service.stop();
});

/**
 * A large hour is read from MongoDB in replies of a bounded size, so the service's memory does not grow
 * with the hour: without a batch size MongoDB sends everything after the first 101 rows in replies of up to
 * 16 MiB.
 */
it('answers every row of a large hour in key order, read in replies of at most 1,000 rows', async () => {
  const hour = 42;
  const keys = Array.from({ length: 2_500 }, (_, i) => ({
    hour,
    src_app: `src-${String(i % 50).padStart(2, '0')}`,
    dest_app: `dest-${String(Math.floor(i / 50)).padStart(2, '0')}`,
    vpc_id: 'vpc-1',
  }));
  await withCollection(service, (c) => c.insertMany(keys.map((k) => keyDocument(k, 1n, 2n))));
  const batchSizes: Record<string, unknown[]> = { find: [], getMore: [] };
  const listener = ({ commandName, command }: CommandStartedEvent) => batchSizes[commandName]?.push(command.batchSize);
  service.connection.client.on('commandStarted', listener);
  try {
    const res = await request(service.url).get(`/flows?hour=${hour}`).expect(200);
    const rows = JSON.parse(res.text) as { src_app: string; dest_app: string }[];
    const order = keys.map((k) => `${k.src_app}/${k.dest_app}`).sort();
    expect(rows.map((r) => `${r.src_app}/${r.dest_app}`)).toEqual(order);
  } finally {
    service.connection.client.off('commandStarted', listener);
  }
  expect(batchSizes.find).toEqual([1000]);
  expect(batchSizes.getMore).toEqual([1000, 1000]);
});
