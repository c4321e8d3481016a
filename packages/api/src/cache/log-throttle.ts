/**
 * Lets through the first event and then at most one per interval, with the number suppressed
 * in between: a Redis outage must not turn into a log line per request.
 */
export function createLogThrottle<T>(intervalMs: number, emit: (event: T, suppressed: number) => void) {
  let lastEmit = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (event: T): void => {
    const now = Date.now();
    if (now - lastEmit < intervalMs) {
      suppressed += 1;
      return;
    }
    lastEmit = now;
    emit(event, suppressed);
    suppressed = 0;
  };
}
