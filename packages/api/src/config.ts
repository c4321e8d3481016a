import { envFields, parseEnv } from '@inkwell/db';
import { z } from 'zod';

/** An optional variable; `VAR=` (empty, as .env files often leave them) counts as unset. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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

  // --- hardening (src/http/hardening.ts) ---
  /** Browser origins allowed to call the api with credentials, comma-separated; empty: none. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ error: 'each origin must be an absolute URL like https://app.example.com' }).max(512))),
  /** How many reverse proxies in front of the api set X-Forwarded-For (0: none, trust nothing). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Budget of one request, from arrival to response (ms); past it the api answers 503. */
  REQUEST_TIMEOUT_MS: envFields.positiveInt(15_000),
  /** On SIGTERM, how long /readyz fails before the listener closes, so load balancers notice (ms). */
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).default(0),

  // --- metrics (src/http/metrics.ts) ---
  /** Serve /metrics on this port only (0: a random one); unset: on the main port at /metrics. */
  METRICS_PORT: optional(z.coerce.number().int().min(0).max(65_535)),
  /** When set, /metrics on the main port requires `Authorization: Bearer <token>`. */
  METRICS_TOKEN: optional(z.string().min(16, 'at least 16 characters').max(256)),
});

export type ApiEnv = z.input<typeof apiEnvSchema>;

/** The api's configuration, validated once at start-up; nothing else reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv) {
  const e = parseEnv(apiEnvSchema, env);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: {
      host: e.HOST,
      port: e.PORT,
      corsOrigins: e.CORS_ORIGINS.map((origin) => new URL(origin).origin),
      trustProxyHops: e.TRUST_PROXY,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    },
    db: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    readinessTimeoutMs: e.READINESS_TIMEOUT_MS,
    limits: { maxBodyBytes: e.HTTP_MAX_BODY_BYTES, maxBatchSize: e.TRPC_MAX_BATCH_SIZE },
    shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS,
    metrics: { port: e.METRICS_PORT, token: e.METRICS_TOKEN },
  };
}

export type Config = ReturnType<typeof loadConfig>;
