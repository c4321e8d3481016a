import type { MikroORM } from '@inkwell/db';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Outcome of one cache lookup, as counted by `inkwell_cache_requests_total`. */
export type CacheResult = 'hit' | 'miss' | 'error';

/** A counter whose label values are checked by the compiler, not only at scrape time. */
export interface TypedCounter<Labels extends Record<string, string>> {
  inc(labels: Labels, value?: number): void;
}

/**
 * The api's metrics, one set per app instance (its own Registry, so several apps in one
 * process never collide). Reached as `ctx.deps.metrics` in procedures and middlewares.
 */
export interface ApiMetrics {
  registry: Registry;
  /** HTTP requests by method, mount point (`/trpc`, `/api`, `/healthz`, …) and status code. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** HTTP requests received and not yet answered. */
  httpRequestsInFlight: Gauge;
  /** Procedure calls by tRPC path (also for calls that came in through REST), type and result code. */
  procedureDuration: Histogram<'procedure' | 'type' | 'code'>;
  /** Cache lookups by procedure and result; the cache middleware increments it. */
  cacheRequests: TypedCounter<{ procedure: string; result: CacheResult }>;
}

/** The part of a tarn pool (knex's) that the pool gauges read. */
interface PoolStats {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function isPoolStats(value: unknown): value is PoolStats {
  return (
    typeof value === 'object' &&
    value !== null &&
    'numUsed' in value &&
    typeof value.numUsed === 'function' &&
    'numFree' in value &&
    typeof value.numFree === 'function' &&
    'numPendingAcquires' in value &&
    typeof value.numPendingAcquires === 'function'
  );
}

/** knex's pool under MikroORM; undefined before the first connection or after close. */
export function ormPool(orm: MikroORM): PoolStats | undefined {
  const pool: unknown = orm.em.getConnection().getKnex().client.pool;
  return isPoolStats(pool) ? pool : undefined;
}

// Seconds; from a cache hit (~1 ms) to the request timeout's neighbourhood.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(options: { pool?: () => PoolStats | undefined } = {}): ApiMetrics {
  const registry = new Registry();
  // Process metrics: CPU, memory, handles, GC, and event-loop lag (mean, p50, p90, p99).
  collectDefaultMetrics({ register: registry, prefix: 'inkwell_' });

  const httpRequestDuration = new Histogram({
    name: 'inkwell_http_request_duration_seconds',
    help: 'HTTP requests by method, route (mount point) and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const httpRequestsInFlight = new Gauge({
    name: 'inkwell_http_requests_in_flight',
    help: 'HTTP requests received and not yet answered.',
    registers: [registry],
  });
  const procedureDuration = new Histogram({
    name: 'inkwell_trpc_procedure_duration_seconds',
    help: 'Procedure calls (tRPC or REST) by procedure path, type and result code (OK or a tRPC error code).',
    labelNames: ['procedure', 'type', 'code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const cacheRequests = new Counter({
    name: 'inkwell_cache_requests_total',
    help: 'Cache lookups by procedure and result (hit, miss, error).',
    labelNames: ['procedure', 'result'] as const,
    registers: [registry],
  });

  const pool = options.pool;
  if (pool) {
    new Gauge({
      name: 'inkwell_db_pool_connections',
      help: 'Database pool connections by state (used, free).',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = pool();
        this.set({ state: 'used' }, stats?.numUsed() ?? 0);
        this.set({ state: 'free' }, stats?.numFree() ?? 0);
      },
    });
    new Gauge({
      name: 'inkwell_db_pool_pending_acquires',
      help: 'Queries waiting for a database pool connection.',
      registers: [registry],
      collect() {
        this.set(pool()?.numPendingAcquires() ?? 0);
      },
    });
  }

  return { registry, httpRequestDuration, httpRequestsInFlight, procedureDuration, cacheRequests };
}
