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
  return { done, resolve, reject };
}
