import { createOrm, type MikroORM } from '@inkwell/db';
import { Redis } from 'ioredis';
import { cacheKeys } from './cache/keys.js';
import { createCacheMetrics } from './cache/metrics.js';
import { QueryCache } from './cache/query-cache.js';
import { createCacheRedis } from './cache/redis.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { type ApiMetrics, createMetrics, ormPool } from './metrics.js';

/** Long-lived connections and services of one api process, shared by every request. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  /** Redis for security state (sessions, rate limits): commands fail rather than fail open. */
  redis: Redis;
  /** This process's Prometheus metrics (its own registry); see src/metrics.ts. */
  metrics: ApiMetrics;
  /** The query cache, on its own Redis client that fails open (see cache/query-cache.ts). */
  cache: QueryCache;
}

export async function createDeps(config: Config, logger: Logger = createLogger(config)): Promise<AppDeps> {
  const orm = await createOrm({
    databaseUrl: config.db.url,
    poolMax: config.db.poolMax,
    acquireTimeoutMs: config.readinessTimeoutMs * 5,
  });
  const redis = new Redis(config.redis.url, {
    keyPrefix: config.redis.prefix,
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Without a listener ioredis would crash the process on a connection error.
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const metrics = createMetrics({ pool: () => ormPool(orm) });
  const cacheRedis = config.cache.enabled
    ? createCacheRedis({ url: config.cache.redisUrl, timeoutMs: config.cache.timeoutMs })
    : null;
  const cache = new QueryCache({
    enabled: config.cache.enabled,
    redis: cacheRedis,
    timeoutMs: config.cache.timeoutMs,
    keys: cacheKeys(config.redis.prefix),
    metrics: createCacheMetrics(metrics),
    logger,
  });
  // Bounded and not fatal: without it the api serves from PostgreSQL until the cache Redis is up.
  await cache.waitUntilConnected(config.readinessTimeoutMs);
  return { config, logger, orm, redis, metrics, cache };
}

export async function closeDeps(deps: AppDeps): Promise<void> {
  await Promise.allSettled([deps.orm.close(true), deps.redis.quit(), deps.cache.close()]);
  deps.redis.disconnect();
}
