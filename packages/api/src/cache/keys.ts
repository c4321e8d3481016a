import { stableHash } from './stable-hash.js';

/**
 * Bump when the shape of any cached value changes: a deploy then reads and writes fresh keys
 * while the old ones expire. Tag versions and the epoch are deliberately NOT versioned, so
 * instances of the old and the new release invalidate each other during a rolling deploy.
 */
export const CACHE_KEY_VERSION = 1;

/** Full Redis key names of the cache (its client has no keyPrefix: Lua builds tag keys too). */
export interface CacheKeys {
  entry(procedurePath: string, input: unknown): string;
  tag(name: string): string;
  /** Where tag keys start; the read script appends tag names to it. */
  tagPrefix: string;
  /** The global invalidation counter (see scripts.ts). */
  epoch: string;
}

export function cacheKeys(redisPrefix: string): CacheKeys {
  const entryPrefix = `${redisPrefix}cache:v${CACHE_KEY_VERSION}:`;
  const tagPrefix = `${redisPrefix}cache:tag:`;
  return {
    entry: (procedurePath, input) => `${entryPrefix}${procedurePath}:${stableHash(input ?? null)}`,
    tag: (name) => `${tagPrefix}${name}`,
    tagPrefix,
    epoch: `${redisPrefix}cache:epoch`,
  };
}
