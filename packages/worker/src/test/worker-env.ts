import { TEST_REDIS_URL, uniqueRedisPrefix } from '@inkwell/db/testing';

export const TEST_PUBLIC_URL = 'http://127.0.0.1:5173';

/**
 * Environment of a worker under test: its own database, Redis prefix and SMTP peer, short
 * retry delays, and a random HTTP port (several workers run at once).
 */
export function workerTestEnv(options: {
  databaseUrl: string;
  smtpUrl: string;
  redisUrl?: string;
  redisPrefix?: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_WORKER_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    REDIS_PREFIX: options.redisPrefix ?? uniqueRedisPrefix(),
    PUBLIC_URL: TEST_PUBLIC_URL,
    SMTP_URL: options.smtpUrl,
    MAIL_FROM: 'Inkwell <no-reply@inkwell.test>',
    WORKER_METRICS_PORT: '0',
    MAIL_BACKOFF_MS: '100',
    MAIL_BACKOFF_MAX_MS: '1000',
    OUTBOX_SWEEP_INTERVAL_MS: '1000',
    ...options.extra,
  };
}
