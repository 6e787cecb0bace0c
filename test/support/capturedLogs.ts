import { Writable } from 'node:stream';
import winston from 'winston';

/** A logger at `level` whose JSON lines are kept, parsed, in `lines`, for tests that check what was logged. */
export function capturedLogger(level = 'info'): { logger: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const logger = winston.createLogger({ level, format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}
