import { Counter } from 'prom-client';
import type { ApiMetrics, CacheResult } from '../metrics.js';

/** The cache's counters, per procedure path (`posts.byId`), whichever path answered. */
export interface CacheMetrics {
  /** Lookups by result; `error` means Redis failed and PostgreSQL answered (fail open). */
  requests: { inc(labels: { procedure: string; result: CacheResult }): void };
  /** Loads from PostgreSQL actually run: misses minus those that joined a load in flight. */
  loads: { inc(labels: { procedure: string }): void };
  /** Hits answered by the fast path, before express (also counted in `requests`). */
  fastPathHits: { inc(labels: { procedure: string }): void };
  /** Failed stores and invalidations (an invalidation is retried until Redis takes it). */
  writeErrors: { inc(labels: { operation: 'store' | 'invalidate' }): void };
}

/** The cache's counters in the app's registry (`inkwell_cache_requests_total` is src/metrics.ts's). */
export function createCacheMetrics(metrics: ApiMetrics): CacheMetrics {
  const registers = [metrics.registry];
  return {
    requests: metrics.cacheRequests,
    loads: new Counter({
      name: 'inkwell_cache_loads_total',
      help: 'Loads of cached procedures from PostgreSQL (concurrent misses of one key share one).',
      labelNames: ['procedure'] as const,
      registers,
    }),
    fastPathHits: new Counter({
      name: 'inkwell_cache_fast_path_hits_total',
      help: 'Cache hits answered before express and the adapters, by procedure.',
      labelNames: ['procedure'] as const,
      registers,
    }),
    writeErrors: new Counter({
      name: 'inkwell_cache_write_errors_total',
      help: 'Cache stores and invalidations that Redis did not take.',
      labelNames: ['operation'] as const,
      registers,
    }),
  };
}
