import { envFields, parseEnv } from '@inkwell/db';
import { z } from 'zod';

/** An optional variable; `VAR=` (empty, as .env files often leave them) counts as unset. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** `points/seconds`, e.g. `10/900` = 10 per 15 minutes. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,6}\/\d{1,7}$/, 'must be "points/seconds", e.g. 10/900')
    .default(fallback)
    .transform((value) => {
      const [points, seconds] = value.split('/').map(Number);
      return { points: Math.max(1, points ?? 1), durationSeconds: Math.max(1, seconds ?? 1) };
    });

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const apiEnvSchema = z.object({
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: envFields.port(3000),
  DATABASE_URL: envFields.databaseUrl,
  DATABASE_POOL_MAX: envFields.positiveInt(10),
  REDIS_URL: envFields.redisUrl,
  REDIS_PREFIX: envFields.redisPrefix,
  PUBLIC_URL: envFields.url,
  /** How long SIGTERM waits for in-flight requests before closing connections (ms). */
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(10_000),
  /** Budget of each /readyz dependency check (ms). */
  READINESS_TIMEOUT_MS: envFields.positiveInt(1_000),
  /** `false` turns the query cache off entirely: every read goes to PostgreSQL. */
  CACHE_ENABLED: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).default('true'),
  /** Redis of the query cache; defaults to REDIS_URL. Its own client, so it can fail open. */
  CACHE_REDIS_URL: envFields.redisUrl.optional(),
  /** Budget of one cache command (ms): past it a read goes to PostgreSQL instead. */
  CACHE_TIMEOUT_MS: envFields.positiveInt(100),
  /** Largest JSON request body accepted by /trpc and /api (bytes); larger ones get a 413. */
  HTTP_MAX_BODY_BYTES: envFields.positiveInt(102_400),
  /** Most calls one tRPC batch request may carry; larger batches get a 400. */
  TRPC_MAX_BATCH_SIZE: envFields.positiveInt(20),

  // --- hardening (src/http/hardening.ts) ---
  /** Browser origins allowed to call the api with credentials, comma-separated; empty: none. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
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

  /** HS256 key of access tokens; rotating it signs everybody out of their access tokens. */
  JWT_SECRET: z.string({ error: 'required: at least 32 random characters' }).min(32, 'at least 32 characters'),
  JWT_ISSUER: z.string().min(1).max(128).default('inkwell'),
  JWT_AUDIENCE: z.string().min(1).max(128).default('inkwell-api'),
  ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60),
  /** Absolute lifetime of a refresh token family: rotation never extends it. */
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600),
  /** A rotated refresh token presented again within this window gets a sibling instead of revoking the family. */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  /** Path(s) the refresh cookie is scoped to, comma-separated (tRPC and REST refresh endpoints). */
  REFRESH_COOKIE_PATHS: z
    .string()
    .regex(/^\/[\w./-]*(,\/[\w./-]*)*$/, 'comma-separated absolute paths')
    .default('/trpc/auth.refresh,/api/auth/refresh'),
  VERIFY_EMAIL_TOKEN_TTL_SECONDS: seconds(24 * 3600),
  RESET_PASSWORD_TOKEN_TTL_SECONDS: seconds(30 * 60),
  /** Floor of the answer time of register, requestPasswordReset and resendVerification, so known and unknown addresses look alike. */
  AUTH_UNIFORM_RESPONSE_MS: z.coerce.number().int().min(0).max(5_000).default(250),
  /** argon2id cost; the floors are OWASP's minimum (m=19456 KiB, t=2, p=1). */
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(19_456).max(4_194_304).default(19_456),
  ARGON2_TIME_COST: z.coerce.number().int().min(2).max(100).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
  /** Rate limits, "points/seconds". Failed logins are counted per account and per IP. */
  RATE_LIMIT_LOGIN_ACCOUNT: rateLimit('10/900'),
  RATE_LIMIT_LOGIN_IP: rateLimit('100/900'),
  RATE_LIMIT_REGISTER_IP: rateLimit('100/3600'),
  RATE_LIMIT_REGISTER_ADDRESS: rateLimit('5/3600'),
  RATE_LIMIT_RESEND_VERIFICATION_IP: rateLimit('100/3600'),
  RATE_LIMIT_RESEND_VERIFICATION_ADDRESS: rateLimit('5/3600'),
  RATE_LIMIT_PASSWORD_RESET_IP: rateLimit('100/3600'),
  RATE_LIMIT_PASSWORD_RESET_ADDRESS: rateLimit('5/3600'),
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
    cache: {
      enabled: e.CACHE_ENABLED === 'true',
      redisUrl: e.CACHE_REDIS_URL ?? e.REDIS_URL,
      timeoutMs: e.CACHE_TIMEOUT_MS,
    },
    limits: { maxBodyBytes: e.HTTP_MAX_BODY_BYTES, maxBatchSize: e.TRPC_MAX_BATCH_SIZE },
    shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS,
    metrics: { port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    auth: {
      jwtSecret: e.JWT_SECRET,
      jwtIssuer: e.JWT_ISSUER,
      jwtAudience: e.JWT_AUDIENCE,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
      refreshCookiePaths: [...new Set(e.REFRESH_COOKIE_PATHS.split(','))],
      secureCookies: e.NODE_ENV === 'production',
      verifyEmailTokenTtlSeconds: e.VERIFY_EMAIL_TOKEN_TTL_SECONDS,
      resetPasswordTokenTtlSeconds: e.RESET_PASSWORD_TOKEN_TTL_SECONDS,
      uniformResponseMs: e.AUTH_UNIFORM_RESPONSE_MS,
      argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    },
    rateLimits: {
      loginAccount: e.RATE_LIMIT_LOGIN_ACCOUNT,
      loginIp: e.RATE_LIMIT_LOGIN_IP,
      registerIp: e.RATE_LIMIT_REGISTER_IP,
      registerAddress: e.RATE_LIMIT_REGISTER_ADDRESS,
      resendVerificationIp: e.RATE_LIMIT_RESEND_VERIFICATION_IP,
      resendVerificationAddress: e.RATE_LIMIT_RESEND_VERIFICATION_ADDRESS,
      passwordResetIp: e.RATE_LIMIT_PASSWORD_RESET_IP,
      passwordResetAddress: e.RATE_LIMIT_PASSWORD_RESET_ADDRESS,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
