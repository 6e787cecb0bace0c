/** MongoDB did not deliver a read's rows within the query timeout. */
export class QueryTimeoutError extends Error {}

/**
 * The read's result, or a QueryTimeoutError once timeoutMs has passed. The driver's own bounds (maxTimeMS,
 * the socket timeout, one retry of the read) add up to more than the configured timeout, so it is enforced
 * here.
 */
export async function withinQueryTimeout<T>(read: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeoutError(`no answer from MongoDB within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([read, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
