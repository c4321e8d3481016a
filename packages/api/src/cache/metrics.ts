import { Counter, type Registry } from 'prom-client';

export type CacheLookupResult = 'hit' | 'miss' | 'error';

/** The cache's counters, per procedure path (`posts.byId`), whichever path answered. */
export interface CacheMetrics {
  /** Lookups by result; `error` means Redis failed and PostgreSQL answered (fail open). */
  requests: { inc(labels: { procedure: string; result: CacheLookupResult }): void };
  /** Loads from PostgreSQL actually run: misses minus those that joined a load in flight. */
  loads: { inc(labels: { procedure: string }): void };
  /** Hits answered by the fast path, before express (also counted in `requests`). */
  fastPathHits: { inc(labels: { procedure: string }): void };
  /** Failed stores and invalidations (an invalidation is retried until Redis takes it). */
  writeErrors: { inc(labels: { operation: 'store' | 'invalidate' }): void };
}

export function createCacheMetrics(registry: Registry): CacheMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'inkwell_cache_requests_total',
      help: 'Cache lookups by procedure and result (hit, miss, error).',
      labelNames: ['procedure', 'result'] as const,
      registers,
    }),
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
