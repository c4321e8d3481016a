import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { Response } from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';

/**
 * Redis-backed rate limits (rate-limiter-flexible on the api's security Redis connection, so its
 * key prefix applies and every api instance shares the counters). They fail CLOSED: if Redis
 * cannot answer, the request is refused with 503 rather than let through unlimited.
 */
export type RateLimitName = keyof Config['rateLimits'];

interface RateLimitCtx {
  deps: AppDeps;
  res: Response | null;
}

const limiters = new WeakMap<AppDeps, Map<RateLimitName, RateLimiterRedis>>();

function limiter(deps: AppDeps, name: RateLimitName): RateLimiterRedis {
  let byName = limiters.get(deps);
  if (!byName) {
    byName = new Map();
    limiters.set(deps, byName);
  }
  let found = byName.get(name);
  if (!found) {
    const { points, durationSeconds } = deps.config.rateLimits[name];
    found = new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `rl:${name}`,
      points,
      duration: durationSeconds,
      // No insurance limiter: when Redis fails (after the client's bounded retries), refuse.
    });
    byName.set(name, found);
  }
  return found;
}

/** Counter key of a subject: hashed, so no email address or IP is stored in Redis. */
export function rateLimitKey(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url').slice(0, 32);
}

function tooManyRequests(ctx: RateLimitCtx, msBeforeNext: number): AppError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  ctx.res?.setHeader('Retry-After', String(retryAfter));
  return new AppError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many attempts; try again in ${retryAfter} s`,
    reason: 'RATE_LIMITED',
    retryAfterSeconds: retryAfter,
  });
}

function unavailable(ctx: RateLimitCtx, name: RateLimitName, error: unknown): TRPCError {
  ctx.deps.logger.warn({ err: error, limit: name }, 'rate limiter unavailable: refusing the request');
  ctx.res?.setHeader('Retry-After', '5');
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'Temporarily unavailable, try again shortly' });
}

/** Counts one attempt; throws 429 (with Retry-After) once the limit is exceeded. */
export async function consumeRateLimit(ctx: RateLimitCtx, name: RateLimitName, subject: string): Promise<void> {
  try {
    await limiter(ctx.deps, name).consume(rateLimitKey(subject));
  } catch (error) {
    if (error instanceof RateLimiterRes) throw tooManyRequests(ctx, error.msBeforeNext);
    throw unavailable(ctx, name, error);
  }
}

/**
 * Gives back a point taken by `consumeRateLimit` (for limits meant to count failures only: the
 * point is taken before the check, so concurrent attempts cannot all pass a read-then-compare,
 * and returned when the attempt succeeds). Best effort: an unreturned point only expires later.
 */
export async function refundRateLimit(ctx: RateLimitCtx, name: RateLimitName, subject: string): Promise<void> {
  try {
    await limiter(ctx.deps, name).reward(rateLimitKey(subject));
  } catch (error) {
    ctx.deps.logger.warn({ err: error, limit: name }, 'rate limiter refund failed');
  }
}

/** Clears a failure counter (a successful login). Best effort: a leftover counter only expires later. */
export async function resetRateLimit(ctx: RateLimitCtx, name: RateLimitName, subject: string): Promise<void> {
  try {
    await limiter(ctx.deps, name).delete(rateLimitKey(subject));
  } catch (error) {
    ctx.deps.logger.warn({ err: error, limit: name }, 'rate limiter reset failed');
  }
}
