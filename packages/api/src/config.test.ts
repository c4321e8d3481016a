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

  it('a bad value stops start-up with a clear message and a non-zero exit', async () => {
    const proc = spawnEntry('api/src/main.ts', { ...valid, PORT: '99999' });
    const code = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toContain('PORT:');
    expect(proc.output()).not.toContain('listening');
  });
});
