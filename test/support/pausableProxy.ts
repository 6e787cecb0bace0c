import { AddressInfo, createServer, Socket, connect } from 'node:net';
import { mongoUri } from './service';

export interface PausableProxy {
  port: number;
  /** Stops moving bytes both ways, on open and new connections alike: a MongoDB that hangs. */
  pause(): void;
  /** Delivers what was held back and forwards again. */
  resume(): void;
  /** Pauses, before forwarding it, at the first bytes the client sends that hold `text`; resolves then. */
  pauseAt(text: string): Promise<void>;
  close(): Promise<void>;
}

/** A loopback TCP proxy to host:port that can stall without closing anything, as a hung server does. */
export async function startPausableProxy(host: string, port: number): Promise<PausableProxy> {
  const sockets = new Set<Socket>();
  const held: { to: Socket; chunk: Buffer }[] = [];
  let paused = false;
  let trap: { text: string; sprung: () => void } | undefined;
  const forward = (from: Socket, to: Socket, fromClient: boolean) => {
    from.on('data', (chunk: Buffer) => {
      if (fromClient && trap && chunk.includes(trap.text)) {
        paused = true;
        trap.sprung();
        trap = undefined;
      }
      if (paused) held.push({ to, chunk });
      else to.write(chunk);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => from.destroy());
    sockets.add(from);
    from.on('close', () => sockets.delete(from));
  };
  const server = createServer((client) => {
    const upstream = connect(port, host);
    forward(client, upstream, true);
    forward(upstream, client, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
    },
    pauseAt(text) {
      return new Promise<void>((sprung) => (trap = { text, sprung }));
    },
    resume() {
      paused = false;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A pausable proxy in front of the suite's store, and the MongoDB URI that goes through it. */
export async function proxyToSuiteStore(): Promise<{ proxy: PausableProxy; uri: string }> {
  const target = new URL(mongoUri().replace(/^mongodb:/, 'http:'));
  const proxy = await startPausableProxy(target.hostname, Number(target.port || 27017));
  return { proxy, uri: `mongodb://127.0.0.1:${proxy.port}/` };
}
