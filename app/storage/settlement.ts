/** A promise with its resolve and reject at hand: what callers wait on until the batch they joined settles. */
export interface Settlement<T = void> {
  done: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

export function settlement<T = void>(): Settlement<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const done = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch or forward that holds only parts with idempotency keys has no caller waiting on `done` itself:
  // its failure reaches each part's own settlement, and must not end the process as an unhandled rejection.
  done.catch(() => {});
  return { done, resolve, reject };
}
