import { envFields, parseEnv } from '@inkwell/db';
import { z } from 'zod';

const workerEnvSchema = z.object({
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  DATABASE_URL: envFields.databaseUrl,
  DATABASE_POOL_MAX: envFields.positiveInt(5),
  REDIS_URL: envFields.redisUrl,
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.:-]{0,64}$/, 'up to 64 letters, digits, "_", "-", "." and ":"')
    .default('inkwell:'),
  PUBLIC_URL: envFields.url,
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL'),
  MAIL_FROM: z.string().min(3),
  /** How long SIGTERM waits for in-flight jobs (ms). */
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(15_000),
});

/** The worker's configuration, validated once at start-up; nothing else reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv) {
  const e = parseEnv(workerEnvSchema, env);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    db: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    smtp: { url: e.SMTP_URL, from: e.MAIL_FROM },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

export type WorkerConfig = ReturnType<typeof loadConfig>;
