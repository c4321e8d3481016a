import { envFields, parseEnv } from '@inkwell/db';
import { z } from 'zod';

const apiEnvSchema = z.object({
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: envFields.port(3000),
  DATABASE_URL: envFields.databaseUrl,
  DATABASE_POOL_MAX: envFields.positiveInt(10),
  REDIS_URL: envFields.redisUrl,
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.:-]{0,64}$/, 'up to 64 letters, digits, "_", "-", "." and ":"')
    .default('inkwell:'),
  PUBLIC_URL: envFields.url,
  /** How long SIGTERM waits for in-flight requests before closing connections (ms). */
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(10_000),
  /** Budget of each /readyz dependency check (ms). */
  READINESS_TIMEOUT_MS: envFields.positiveInt(1_000),
  /** Largest JSON request body accepted by /trpc and /api (bytes); larger ones get a 413. */
  HTTP_MAX_BODY_BYTES: envFields.positiveInt(102_400),
  /** Most calls one tRPC batch request may carry; larger batches get a 400. */
  TRPC_MAX_BATCH_SIZE: envFields.positiveInt(20),
});

export type ApiEnv = z.input<typeof apiEnvSchema>;

/** The api's configuration, validated once at start-up; nothing else reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv) {
  const e = parseEnv(apiEnvSchema, env);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT },
    db: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    readinessTimeoutMs: e.READINESS_TIMEOUT_MS,
    limits: { maxBodyBytes: e.HTTP_MAX_BODY_BYTES, maxBatchSize: e.TRPC_MAX_BATCH_SIZE },
  };
}

export type Config = ReturnType<typeof loadConfig>;
