import { TRPCError } from '@trpc/server';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { withDeadline } from './deadline.js';
import type { CacheKeys } from './keys.js';
import { LocalCopies } from './local-copies.js';
import { createLogThrottle } from './log-throttle.js';
import type { CacheMetrics } from './metrics.js';
import { cacheScripts, parseReadReply } from './scripts.js';
import { ALL_ENTRIES_TAG } from './tags.js';

/** Tag keys outlive entries by far; a tag that expires anyway only turns its entries into misses. */
const TAG_TTL_MS = 24 * 60 * 60 * 1000;
/** Retry cadence of invalidations that failed (Redis down); also retried on reconnect. */
const INVALIDATION_RETRY_MS = 500;
/** Past this many pending tags, a failed invalidation is kept as "everything" instead. */
const MAX_PENDING_TAGS = 1_000;
/** Memory for local copies of entries (see local-copies.ts), per process. */
const LOCAL_COPIES_MAX_BYTES = 64 * 1024 * 1024;

export type CacheReadResult =
  | { kind: 'hit'; payload: string }
  | { kind: 'miss'; epoch: string | null }
  /** Redis failed, or this process still owes Redis an invalidation: read PostgreSQL. */
  | { kind: 'unavailable' };

export interface CachedLoad {
  /** The viewer-independent value, exactly as the procedure returns it. */
  data: unknown;
  /** Tags the value depends on (the store adds ALL_ENTRIES_TAG). */
  tags: readonly string[];
}

export interface CacheRequest {
  /** Procedure path, e.g. `posts.byId`: the metrics label. */
  procedure: string;
  key: string;
  ttlSeconds: number;
}

interface InFlightLoad {
  /** Epoch read before the load started: joiners with a newer epoch must not share it. */
  epoch: string | null;
  result: Promise<{ data: unknown; payload: string }>;
}

export interface QueryCacheOptions {
  enabled: boolean;
  redis: Redis | null;
  /** Budget of one Redis command (ms); past it the request goes to PostgreSQL. */
  timeoutMs: number;
  keys: CacheKeys;
  metrics: CacheMetrics;
  logger: Logger;
}

/**
 * The one query cache of an api process: reads (one Redis round trip), loads shared between
 * concurrent misses, stores, and tag invalidation. Every Redis failure fails open to PostgreSQL.
 */
export class QueryCache {
  readonly enabled: boolean;
  readonly keys: CacheKeys;
  readonly metrics: CacheMetrics;
  private readonly redis: Redis | null;
  private readonly timeoutMs: number;
  private readonly inFlight = new Map<string, InFlightLoad>();
  private readonly localCopies: LocalCopies;
  private readonly pendingTags = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly logFailure: (event: { error: unknown; operation: string }) => void;

  constructor(options: QueryCacheOptions) {
    this.enabled = options.enabled && options.redis !== null;
    this.redis = options.redis;
    this.timeoutMs = options.timeoutMs;
    this.keys = options.keys;
    this.metrics = options.metrics;
    this.localCopies = new LocalCopies(LOCAL_COPIES_MAX_BYTES, this.keys.tag);
    const logger = options.logger;
    this.logFailure = createLogThrottle(10_000, ({ error, operation }, suppressed) =>
      logger.warn({ err: error, operation, suppressed }, 'cache redis failure: answering from PostgreSQL'),
    );
    this.redis?.on('error', (error: unknown) => this.logFailure({ error, operation: 'connection' }));
    this.redis?.on('ready', () => {
      logger.info('cache redis ready');
      if (this.pendingTags.size) void this.flushPendingInvalidations();
    });
  }

  /** Waits (at most `budgetMs`) for the first connection, so a starting api does not fail open needlessly. */
  async waitUntilConnected(budgetMs: number): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, budgetMs);
      redis.once('ready', done);
    });
  }

  /**
   * Looks an entry up and checks its tag versions, in one round trip: an MGET of the tags when
   * this process holds a copy of the entry, else the read script. Never throws.
   */
  async read(procedure: string, key: string, options: { countHitsOnly?: boolean } = {}): Promise<CacheReadResult> {
    // While this process owes Redis an invalidation, its own entries may be stale: skip them.
    const redis = this.redis;
    if (!redis || this.pendingTags.size) return { kind: 'unavailable' };
    let result: CacheReadResult;
    try {
      const copy = this.localCopies.get(key);
      if (copy) {
        const [epoch = null, ...versions] = await this.withinBudget(redis.mget(this.keys.epoch, ...copy.tagKeys));
        if (versions.every((version, index) => version === copy.versions[index])) {
          result = { kind: 'hit', payload: copy.payload };
        } else {
          this.localCopies.delete(key);
          result = { kind: 'miss', epoch };
        }
      } else {
        const reply = parseReadReply(
          await this.withinBudget(cacheScripts.read.run(redis, [key, this.keys.epoch], [this.keys.tagPrefix])),
        );
        if (reply.entry) this.localCopies.set(key, reply.entry);
        result = reply.entry ? { kind: 'hit', payload: reply.entry.payload } : { kind: 'miss', epoch: reply.epoch };
      }
    } catch (error) {
      if (!options.countHitsOnly) this.metrics.requests.inc({ procedure, result: 'error' });
      this.logFailure({ error, operation: 'read' });
      return { kind: 'unavailable' };
    }
    if (result.kind === 'hit') this.metrics.requests.inc({ procedure, result: 'hit' });
    else if (!options.countHitsOnly) this.metrics.requests.inc({ procedure, result: 'miss' });
    return result;
  }

  /**
   * The value of a cached procedure call: from Redis, from a load already in flight in this
   * process, or from `load` (then stored in the background). Hits and joined loads return a
   * fresh copy parsed from the stored JSON, so no two requests ever share one object.
   */
  async resolve(request: CacheRequest, load: () => Promise<CachedLoad>): Promise<unknown> {
    const { procedure, key } = request;
    const found = await this.read(procedure, key);
    if (found.kind === 'hit') return JSON.parse(found.payload);
    if (found.kind === 'unavailable') {
      this.metrics.loads.inc({ procedure });
      return (await load()).data;
    }

    const running = this.inFlight.get(key);
    // Same epoch: no invalidation finished since that load began, so its result is fresh for us.
    if (running && running.epoch === found.epoch) {
      try {
        return JSON.parse((await running.result).payload);
      } catch (error) {
        throw copyError(error);
      }
    }

    this.metrics.loads.inc({ procedure });
    const loaded = load();
    const flight: InFlightLoad = {
      epoch: found.epoch,
      result: loaded.then(({ data }) => ({ data, payload: JSON.stringify(data) })),
    };
    this.inFlight.set(key, flight);
    const forget = () => {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    };
    flight.result.then(async ({ payload }) => {
      const { tags } = await loaded;
      await this.store(request, found.epoch, tags, payload);
      // Reads answered before the store was applied may still be on their way to join:
      // keep the result one more turn of the event loop for them.
      setImmediate(forget);
    }, forget);
    return (await flight.result).data;
  }

  /**
   * Makes every entry tagged with any of `tags` invalid, from every api instance. Call it after
   * the transaction that changed the data has committed. Never throws: if Redis is down, the
   * tags are retried until it is back, and this process reads PostgreSQL until then.
   */
  async invalidate(tags: readonly string[]): Promise<void> {
    if (!this.enabled || tags.length === 0) return;
    for (const tag of tags) this.pendingTags.add(tag);
    await this.flushPendingInvalidations();
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    if (!this.redis) return;
    await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private withinBudget<T>(command: Promise<T>): Promise<T> {
    return withDeadline(command, this.timeoutMs);
  }

  private async store(request: CacheRequest, epoch: string | null, tags: readonly string[], payload: string) {
    if (!this.redis) return;
    const names = [...new Set([ALL_ENTRIES_TAG, ...tags])];
    try {
      await this.withinBudget(
        cacheScripts.store.run(
          this.redis,
          [request.key, this.keys.epoch, ...names.map((name) => this.keys.tag(name))],
          [epoch ?? '', request.ttlSeconds * 1000, TAG_TTL_MS, payload, ...names],
        ),
      );
    } catch (error) {
      this.metrics.writeErrors.inc({ operation: 'store' });
      this.logFailure({ error, operation: 'store' });
    }
  }

  private async flushPendingInvalidations(): Promise<void> {
    if (!this.redis || this.pendingTags.size === 0) return;
    if (this.pendingTags.size > MAX_PENDING_TAGS) {
      this.pendingTags.clear();
      this.pendingTags.add(ALL_ENTRIES_TAG);
    }
    const tags = [...this.pendingTags];
    try {
      await this.withinBudget(
        cacheScripts.invalidate.run(
          this.redis,
          [this.keys.epoch, ...tags.map((name) => this.keys.tag(name))],
          [TAG_TTL_MS],
        ),
      );
      for (const tag of tags) this.pendingTags.delete(tag);
      // Loads that began before this write must not be shared with requests that come after it.
      this.inFlight.clear();
    } catch (error) {
      this.metrics.writeErrors.inc({ operation: 'invalidate' });
      this.logFailure({ error, operation: 'invalidate' });
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        void this.flushPendingInvalidations();
      }, INVALIDATION_RETRY_MS).unref();
    }
  }
}

/**
 * tRPC stores the formatted shape (with the request id) on the error object, so requests that
 * shared a failed load each get their own error.
 */
function copyError(error: unknown): unknown {
  if (error instanceof AppError) {
    return new AppError({
      code: error.code,
      message: error.message,
      reason: error.reason,
      retryAfterSeconds: error.retryAfterSeconds,
      cause: error.cause,
    });
  }
  if (error instanceof TRPCError)
    return new TRPCError({ code: error.code, message: error.message, cause: error.cause });
  return error;
}
