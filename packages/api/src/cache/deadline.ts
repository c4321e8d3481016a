export class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`cache command took longer than ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/**
 * Rejects if `promise` has not settled `ms` after the call. Unlike a plain timer (and ioredis's
 * commandTimeout), the verdict waits for the I/O phase of the event-loop turn the timer fired
 * in: a reply already waiting on the socket is read there first. So a busy event loop (timers
 * run before I/O in each turn) is not taken for a slow Redis and sent to PostgreSQL, which under
 * load would only add load.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new CacheTimeoutError(ms));
      });
    }, ms);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
