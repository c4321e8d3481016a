import { ConfigError } from '@inkwell/db';
import { spawnEntry } from '@inkwell/db/testing';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { testEnv } from './test/harness.js';

describe('api configuration', () => {
  const valid = testEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', REDIS_PREFIX: 'x:' });

  it('accepts a complete environment and applies defaults', () => {
    const config = loadConfig({ ...valid, PORT: undefined });
    expect(config.http.port).toBe(3000);
    expect(config.db.poolMax).toBe(10);
  });

  it('names every bad or missing variable', () => {
    let error: unknown;
    try {
      loadConfig({ ...valid, PORT: 'eighty', DATABASE_URL: undefined, PUBLIC_URL: 'not a url' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/DATABASE_URL:.*\(missing\)/);
    expect(message).toMatch(/PUBLIC_URL:/);
  });

  it('auth settings: JWT_SECRET required (32+ chars), argon2 cost never below the OWASP floor', () => {
    const config = loadConfig(valid);
    expect(config.auth.argon2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(config.auth.accessTokenTtlSeconds).toBe(900);
    expect(config.auth.refreshTokenTtlSeconds).toBe(30 * 24 * 3600);
    expect(config.rateLimits.loginAccount).toEqual({ points: 10, durationSeconds: 900 });
    const problems = (env: Record<string, string | undefined>) => {
      try {
        loadConfig({ ...valid, ...env });
        return '';
      } catch (error) {
        return (error as ConfigError).message;
      }
    };
    expect(problems({ JWT_SECRET: undefined })).toMatch(/JWT_SECRET:.*\(missing\)/);
    expect(problems({ JWT_SECRET: 'short' })).toMatch(/JWT_SECRET:/);
    expect(problems({ ARGON2_MEMORY_KIB: '4096' })).toMatch(/ARGON2_MEMORY_KIB:/);
    expect(problems({ ARGON2_TIME_COST: '1' })).toMatch(/ARGON2_TIME_COST:/);
    expect(problems({ RATE_LIMIT_LOGIN_ACCOUNT: 'ten' })).toMatch(/RATE_LIMIT_LOGIN_ACCOUNT:/);
    expect(loadConfig({ ...valid, ARGON2_TIME_COST: '3' }).auth.argon2.timeCost).toBe(3);
  });

  it('cache settings: on by default on REDIS_URL, or its own Redis, or off', () => {
    const defaults = loadConfig({ ...valid, CACHE_ENABLED: undefined, CACHE_TIMEOUT_MS: undefined });
    expect(defaults.cache).toEqual({ enabled: true, redisUrl: valid.REDIS_URL, timeoutMs: 100 });
    const own = loadConfig({ ...valid, CACHE_REDIS_URL: 'redis://10.0.0.9:6380', CACHE_ENABLED: 'false' });
    expect(own.cache).toMatchObject({ enabled: false, redisUrl: 'redis://10.0.0.9:6380' });
    expect(() => loadConfig({ ...valid, CACHE_ENABLED: 'yes' })).toThrow(/CACHE_ENABLED:/);
    expect(() => loadConfig({ ...valid, CACHE_REDIS_URL: 'localhost' })).toThrow(/CACHE_REDIS_URL:/);
    expect(() => loadConfig({ ...valid, CACHE_TIMEOUT_MS: '0' })).toThrow(/CACHE_TIMEOUT_MS:/);
  });

  it('a bad value stops start-up with a clear message and a non-zero exit', async () => {
    const proc = spawnEntry('api/src/main.ts', { ...valid, PORT: '99999' });
    const code = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toContain('PORT:');
    expect(proc.output()).not.toContain('listening');
  });
});
