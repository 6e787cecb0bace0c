import { AddressInfo, Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Collection, Document, MongoClient } from 'mongodb';
import { FlowKey, flowKeyId } from '../../app/query/flows';
import { Settings, settingsSchema } from '../../app/config/settings';
import { createLogger } from '../../app/logger';
import { createService, Service } from '../../app/service';
import { freePort } from './disposableMongo';

export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: jest globalSetup should have set it');
  return uri;
}

/** A fresh database name, so test files never see each other's data. */
export function uniqueDatabase(): string {
  return `fas_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

/** Settings as the service would load them, on a fresh database, quiet, with no shutdown delay. */
export function testSettings(overrides: Partial<Record<keyof Settings, unknown>> = {}): Settings {
  const { value, error } = settingsSchema.validate({
    mongodbUri: mongoUri(),
    mongodbDatabase: uniqueDatabase(),
    host: '127.0.0.1',
    port: 0,
    shutdownDelayMs: 0,
    mongodbConnectRetryMs: 200,
    mongodbServerSelectionTimeoutMs: 2000,
    ...overrides,
  });
  if (error) throw error;
  return value;
}

export interface RunningService extends Service {
  settings: Settings;
  url: string;
  stop(): Promise<void>;
}

/**
 * Polls until the condition holds. The bound says "eventually", not how fast: it only ends a test that would
 * otherwise wait forever, so it is generous enough for a busy machine.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * The whole service in this process on a loopback port, optionally waiting until it is ready; quiet unless
 * TEST_LOGS is set or a test passes a logger of its own.
 */
export async function startService(
  overrides: Partial<Record<keyof Settings, unknown>> = {},
  { waitReady = true, now = Date.now, logger = createLogger('error', !process.env.TEST_LOGS) } = {},
): Promise<RunningService> {
  const settings = testSettings(overrides);
  const service = createService(settings, logger, [], now);
  service.start();
  try {
    await listen(service.server, settings.port);
    if (service.hopServer) await listen(service.hopServer, settings.hopPort);
  } catch (err) {
    // A port taken since it was chosen: nothing of this service may outlive the failure (jest would not exit).
    service.server.close();
    await service.close();
    throw err;
  }
  const { port } = service.server.address() as AddressInfo;
  if (waitReady) await waitFor(() => service.connection.ready);
  return {
    ...service,
    settings,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => {
        service.server.close(() => resolve());
        service.server.closeAllConnections();
      });
      service.hopServer?.closeAllConnections();
      await service.close();
    },
  };
}

/** Listens on a loopback port; rejects when the port is taken. */
function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether a failure is a port taken between choosing it and listening on it: worth another try. */
const portTaken = (err: unknown) => (err as { code?: string }).code === 'EADDRINUSE';

/** A direct client on the test MongoDB, to check what was stored without going through the service. */
export async function withMongo<T>(uri: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** The value of one series in the Prometheus text, 0 when the series does not exist yet. */
export function metricSample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** The service's own collection, through a client of the test's. */
export async function withCollection<T>(service: RunningService, fn: (c: Collection) => Promise<T>): Promise<T> {
  const { mongodbUri, mongodbDatabase, mongodbCollection } = service.settings;
  return withMongo(mongodbUri, (client) => fn(client.db(mongodbDatabase).collection(mongodbCollection)));
}

/** A key's document as the upserts shape it, to write straight into the collection as a version without roll-ups did. */
export function keyDocument(key: FlowKey, bytesTx: bigint, bytesRx: bigint): Document {
  return { _id: flowKeyId(key), ...key, bytes_tx: bytesTx, bytes_rx: bytesRx };
}

/**
 * `members` services on one database, each with a hop port of its own, routing among themselves (PEERS,
 * PEER_URL, HOP_PORT); their public ports are any free ones.
 * Each may override its settings (by index), for a member the test makes misbehave.
 */
export async function startFleet(
  members: number,
  overrides: Partial<Record<keyof Settings, unknown>> = {},
  each: (i: number) => Partial<Record<keyof Settings, unknown>> = () => ({}),
): Promise<RunningService[]> {
  const mongodbDatabase = uniqueDatabase();
  return startMembers(
    members,
    (fleet, i) => {
      const own = each(i);
      // A member the test points at a MongoDB of its own (one that is away) is not waited for.
      const waitReady = own.mongodbUri === undefined;
      return startService({ mongodbDatabase, ...overrides, ...fleet, ...own }, { waitReady });
    },
    (member) => member.stop(),
  );
}

/** Where one member of a fleet listens for the others, and the fleet it names (HOP_PORT, PEERS, PEER_URL). */
export interface MemberPorts {
  hopPort: number;
  peers: string;
  peerUrl: string;
}

/**
 * Starts `count` members of a fleet, each on a free hop port; when one finds its port taken since it was
 * chosen, stops those that started and tries new ports, three times at most.
 */
export async function startMembers<T>(count: number, start: (member: MemberPorts, i: number) => Promise<T>, stop: (started: T) => unknown): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    const hopPorts = await Promise.all(Array.from({ length: count }, () => freePort()));
    const urls = hopPorts.map((port) => `http://127.0.0.1:${port}`);
    const started = await Promise.allSettled(hopPorts.map((hopPort, i) => start({ hopPort, peers: urls.join(','), peerUrl: urls[i] }, i)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return started.map((r) => (r as PromiseFulfilledResult<T>).value);
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? stop(r.value) : undefined)));
    if (!portTaken(failed.reason) || attempt === 3) throw failed.reason;
  }
}
