import { z } from 'zod';

/** Durations and sizes of one bench run. `quick` is a smoke test of the harness, not a measurement. */
export interface Settings {
  profile: 'full' | 'quick';
  physical: { connections: number; durationS: number; rounds: number };
  pages: { durationMs: number; minWalks: number; concurrency: number };
  mixed: { connections: number; durationS: number; keys: number };
  login: { connections: number; durationS: number };
  mail: { mails: number };
  memory: { checkpoints: number[]; bareCheckpoints: number[]; connections: number };
  runtime: { durationS: number };
}

const profiles: Record<Settings['profile'], Settings> = {
  full: {
    profile: 'full',
    physical: { connections: 50, durationS: 5, rounds: 2 },
    pages: { durationMs: 3_000, minWalks: 20, concurrency: 1 },
    mixed: { connections: 64, durationS: 10, keys: 500 },
    login: { connections: 8, durationS: 5 },
    mail: { mails: 2_000 },
    memory: {
      checkpoints: [100_000, 300_000, 600_000, 1_000_000],
      bareCheckpoints: [100_000, 300_000],
      connections: 50,
    },
    runtime: { durationS: 4 },
  },
  quick: {
    profile: 'quick',
    physical: { connections: 50, durationS: 1, rounds: 1 },
    pages: { durationMs: 400, minWalks: 2, concurrency: 1 },
    mixed: { connections: 64, durationS: 1, keys: 100 },
    login: { connections: 4, durationS: 1 },
    mail: { mails: 100 },
    memory: { checkpoints: [2_000, 5_000], bareCheckpoints: [2_000], connections: 20 },
    runtime: { durationS: 1 },
  },
};

const benchEnvSchema = z.object({
  BENCH_PROFILE: z.enum(['full', 'quick']).default('full'),
  /** Comma-separated scenario numbers to run (default: all). */
  BENCH_ONLY: z
    .string()
    .regex(/^\d(,\d)*$/, 'comma-separated scenario numbers, e.g. 1,3')
    .optional(),
  /** Override scenario 6's checkpoints, e.g. 100000,300000 when 1M does not fit the time budget. */
  BENCH_MEMORY_CHECKPOINTS: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .optional(),
  BENCH_DATABASE_SERVER: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  BENCH_REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
});

export function loadSettings(env: NodeJS.ProcessEnv) {
  const e = benchEnvSchema.parse(env);
  const settings = structuredClone(profiles[e.BENCH_PROFILE]);
  if (e.BENCH_MEMORY_CHECKPOINTS) settings.memory.checkpoints = e.BENCH_MEMORY_CHECKPOINTS.split(',').map(Number);
  return {
    settings,
    only: e.BENCH_ONLY ? new Set(e.BENCH_ONLY.split(',').map(Number)) : null,
    databaseServer: e.BENCH_DATABASE_SERVER,
    redisUrl: e.BENCH_REDIS_URL,
  };
}
