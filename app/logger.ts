import winston from 'winston';

/** JSON lines on stdout, one object per event. */
export function createLogger(level: string, silent = false): winston.Logger {
  return winston.createLogger({
    level,
    silent,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/** An error's message and the chain of causes behind it, without stack traces. */
export function describeError(err: unknown): Record<string, string> {
  const described: Record<string, string> = { error: err instanceof Error ? err.message : String(err) };
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 1; cause !== undefined && depth <= 3; depth++) {
    described[depth === 1 ? 'cause' : `cause${depth}`] = cause instanceof Error ? cause.message : String(cause);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return described;
}
