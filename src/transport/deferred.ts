export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
  settled: boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (r: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve(v) {
      if (d.settled) return;
      d.settled = true;
      resolve(v);
    },
    reject(r) {
      if (d.settled) return;
      d.settled = true;
      reject(r);
    },
  };
  // A rejection nobody awaits (setup failed after the caller moved on) must not surface as unhandled.
  promise.catch(() => undefined);
  return d;
}
