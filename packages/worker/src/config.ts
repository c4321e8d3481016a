import { envFields, parseEnv } from '@inkwell/db';
import { z } from 'zod';

const workerEnvSchema = z.object({
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  DATABASE_URL: envFields.databaseUrl,
  DATABASE_POOL_MAX: envFields.positiveInt(5),
  REDIS_URL: envFields.redisUrl,
  REDIS_PREFIX: envFields.redisPrefix,
  PUBLIC_URL: envFields.url,
  /** The web app's origin: every link in a mail points at one of its pages. Unset: PUBLIC_URL (one origin for both). */
  PUBLIC_WEB_URL: z.preprocess((value) => (value === '' ? undefined : value), envFields.url.optional()),
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL'),
  MAIL_FROM: z.string().min(3),
  /** How long SIGTERM waits for in-flight jobs (ms). */
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(15_000),
  /** Mail jobs one worker process runs at once (and the SMTP pool size). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  /** Tries per mail before its job is failed for good. */
  MAIL_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  /** First retry delay (ms); doubles per attempt, with jitter, up to MAIL_BACKOFF_MAX_MS. */
  MAIL_BACKOFF_MS: envFields.positiveInt(2_000),
  MAIL_BACKOFF_MAX_MS: envFields.positiveInt(10 * 60_000),
  /**
   * A delivery left in `sending` longer than this (ms) is taken to belong to a crashed attempt
   * and is sent again (a possible duplicate). Must exceed the longest SMTP exchange.
   */
  MAIL_CLAIM_STALE_MS: envFields.positiveInt(5 * 60_000),
  /** Lock on a running job (ms); a crashed worker's jobs are retried after about this long. */
  MAIL_JOB_LOCK_MS: envFields.positiveInt(30_000),
  /** Fallback sweep of the outbox when no NOTIFY arrives (ms). */
  OUTBOX_SWEEP_INTERVAL_MS: envFields.positiveInt(5_000),
  /** Outbox rows moved to the queue per transaction. */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(200),
  /** The worker's own HTTP port: /healthz, /metrics, the admin view. 0 picks a free port. */
  WORKER_HTTP_HOST: z.string().min(1).max(255).default('127.0.0.1'),
  WORKER_METRICS_PORT: envFields.port(9464),
  /** Bearer token for the admin view of the queue; unset or empty turns the view off. */
  WORKER_ADMIN_TOKEN: z
    .string()
    .max(256)
    .optional()
    .transform((value) => (value ? value : undefined))
    .pipe(z.string().min(32, 'at least 32 characters').optional()),
});

/** The worker's configuration, validated once at start-up; nothing else reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv) {
  const e = parseEnv(workerEnvSchema, env);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    db: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    /** Base of the links in mails (and of Message-ID hosts): the web app, whose pages they open. */
    publicUrl: (e.PUBLIC_WEB_URL ?? e.PUBLIC_URL).replace(/\/+$/, ''),
    smtp: { url: e.SMTP_URL, from: e.MAIL_FROM },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    mail: {
      concurrency: e.WORKER_CONCURRENCY,
      attempts: e.MAIL_ATTEMPTS,
      backoffMs: e.MAIL_BACKOFF_MS,
      backoffMaxMs: e.MAIL_BACKOFF_MAX_MS,
      claimStaleMs: e.MAIL_CLAIM_STALE_MS,
      jobLockMs: e.MAIL_JOB_LOCK_MS,
    },
    outbox: { sweepIntervalMs: e.OUTBOX_SWEEP_INTERVAL_MS, batchSize: e.OUTBOX_BATCH_SIZE },
    http: { host: e.WORKER_HTTP_HOST, port: e.WORKER_METRICS_PORT, adminToken: e.WORKER_ADMIN_TOKEN },
  };
}

export type WorkerConfig = ReturnType<typeof loadConfig>;
