import {
  createTestDatabase,
  spawnEntry,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueRedisPrefix,
  waitFor,
} from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('worker process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const env = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    PUBLIC_URL: 'http://127.0.0.1:5173',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    MAIL_FROM: 'Inkwell <no-reply@inkwell.test>',
    WORKER_METRICS_PORT: '0',
  });

  it('a missing variable stops start-up naming it, with a non-zero exit', async () => {
    const { SMTP_URL: _omitted, ...rest } = env();
    const proc = spawnEntry('worker/src/main.ts', rest);
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/SMTP_URL:.*missing/);
  });

  it('connects, then exits 0 on SIGTERM', async () => {
    const proc = spawnEntry('worker/src/main.ts', env());
    await waitFor(() => proc.output().includes('worker started'), 20_000);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('stopped');
  });
});
