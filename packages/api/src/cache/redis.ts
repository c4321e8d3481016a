import { Redis } from 'ioredis';

export interface CacheRedisOptions {
  url: string;
  /** Budget of one command (ms): bounds connecting too (see QueryCache for the command deadline). */
  timeoutMs: number;
}

/**
 * The cache's own client. Unlike the security client it fails fast: no offline queue (a command
 * while disconnected fails at once), one attempt per command, and reconnects with a short
 * capped backoff forever, so the cache comes back by itself. Commands get their deadline from
 * QueryCache (withDeadline), which tells a slow Redis from a busy event loop.
 */
export function createCacheRedis(options: CacheRedisOptions): Redis {
  const redis = new Redis(options.url, {
    connectTimeout: Math.max(options.timeoutMs * 10, 500),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000),
    // Concurrent requests' commands go out in one write (fewer syscalls per cache hit).
    enableAutoPipelining: true,
  });
  return redis;
}
