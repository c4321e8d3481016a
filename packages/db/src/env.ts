import { z } from 'zod';

/** Thrown when the environment does not satisfy a process's schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with `schema`; every issue is reported as `VARIABLE: message`. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const received = issue.code === 'invalid_type' && issue.input === undefined ? ' (missing)' : '';
      return `${variable}: ${issue.message}${received}`;
    }),
  );
}

/** Reusable environment fields, so api, worker and scripts spell them the same way. */
export const envFields = {
  databaseUrl: z
    .string({ error: 'required, e.g. postgres://postgres@127.0.0.1:5432/inkwell' })
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL'),
  redisUrl: z
    .string({ error: 'required, e.g. redis://127.0.0.1:6379' })
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// URL'),
  /** Prefix of every Redis key of the deployment (cache, rate limits, queues). */
  redisPrefix: z
    .string()
    .regex(/^[\w.:-]{0,64}$/, 'up to 64 letters, digits, "_", "-", "." and ":"')
    .default('inkwell:'),
  nodeEnv: z.enum(['development', 'test', 'production']).default('development'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  url: z.url({ error: 'must be an absolute URL' }),
};

/** Validates the variables the database scripts (migrate, seed) need. */
export function loadDbScriptEnv(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string } {
  const parsed = parseEnv(z.object({ DATABASE_URL: envFields.databaseUrl }), env);
  return { databaseUrl: parsed.DATABASE_URL };
}
