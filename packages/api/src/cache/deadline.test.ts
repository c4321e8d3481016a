import { TEST_REDIS_URL } from '@inkwell/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheTimeoutError, withDeadline } from './deadline.js';

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  await redis.ping();
});
afterAll(() => redis.disconnect());

function blockEventLoop(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A busy event loop, as under load: the reply arrives meanwhile but cannot be read yet.
  }
}

describe('withDeadline', () => {
  it('does not take a busy event loop for a slow Redis', async () => {
    const reply = withDeadline(redis.ping(), 20);
    blockEventLoop(150);
    await expect(reply).resolves.toBe('PONG');
  });

  it('rejects a command that has not answered by the deadline', async () => {
    const never = new Promise<never>(() => {});
    const started = performance.now();
    await expect(withDeadline(never, 30)).rejects.toBeInstanceOf(CacheTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('passes values and errors through', async () => {
    await expect(withDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('nope')), 50)).rejects.toThrow('nope');
  });
});
