import { createServer, Server } from 'node:net';
import { spawnService } from '../support/childService';
import { freePort } from '../support/disposableMongo';
import { startService } from '../support/service';

/**
 * A port chosen free can be taken before the server listens on it (another test run on the machine, an
 * outgoing connection). The helpers that start servers then fail at once, stop what they started, and say
 * so: the suite neither waits out a hook's timeout nor leaves a server that keeps jest from exiting.
 */
describe('a server started on a port taken since it was chosen', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('fails startService with EADDRINUSE, on its public or its hop port', async () => {
    await expect(startService({ port }, { waitReady: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const hop = { hopPort: port, peers: `http://127.0.0.1:${port}`, peerUrl: `http://127.0.0.1:${port}` };
    await expect(startService(hop, { waitReady: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('fails spawnService as soon as the child exits, with EADDRINUSE', async () => {
    const started = Date.now();
    await expect(spawnService({ HOP_PORT: String(port), PEERS: `http://127.0.0.1:${port}`, PEER_URL: `http://127.0.0.1:${port}` })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    // Not the readiness wait's 60 s.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 120_000);

  it('chooses ports below the kernel’s ephemeral range, where outgoing connections never take one', async () => {
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    for (const p of ports) expect(p).toBeLessThan(32_768);
  });
});
