import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Durations and sizes of one bench run. `quick` is a smoke test of the harness, not a measurement. */
export interface Settings {
  profile: 'full' | 'quick';
  physical: { connections: number; durationS: number; rounds: number };
  pages: { durationMs: number; minWalks: number; concurrency: number; likedReads: number };
  mixed: { connections: number; durationS: number; keys: number };
  login: { connections: number; durationS: number };
  mail: { mails: number; rounds: number };
  memory: {
    checkpoints: number[];
    /** Requests after which RSS counts as warmed up: the slope is fitted from there on. */
    warmupRequests: number;
    bareCheckpoints: number[];
    connections: number;
  };
  runtime: { durationS: number; node24: 'install' | 'skip' };
  conditional: { connections: number; durationS: number; rounds: number };
  statements: { requests: number };
}

const steps = (step: number, last: number) => Array.from({ length: last / step }, (_, i) => (i + 1) * step);

const profiles: Record<Settings['profile'], Settings> = {
  full: {
    profile: 'full',
    physical: { connections: 50, durationS: 5, rounds: 2 },
    pages: { durationMs: 3_000, minWalks: 20, concurrency: 1, likedReads: 20 },
    mixed: { connections: 64, durationS: 10, keys: 500 },
    login: { connections: 8, durationS: 5 },
    mail: { mails: 2_000, rounds: 3 },
    memory: {
      checkpoints: steps(100_000, 1_000_000),
      warmupRequests: 300_000,
      bareCheckpoints: [100_000, 200_000, 300_000],
      connections: 50,
    },
    runtime: { durationS: 4, node24: 'install' },
    conditional: { connections: 50, durationS: 4, rounds: 2 },
    statements: { requests: 20 },
  },
  quick: {
    profile: 'quick',
    physical: { connections: 50, durationS: 1, rounds: 1 },
    pages: { durationMs: 400, minWalks: 2, concurrency: 1, likedReads: 3 },
    mixed: { connections: 64, durationS: 2, keys: 100 },
    login: { connections: 4, durationS: 1 },
    mail: { mails: 100, rounds: 3 },
    memory: {
      checkpoints: steps(2_000, 10_000),
      warmupRequests: 4_000,
      bareCheckpoints: [2_000, 4_000],
      connections: 20,
    },
    runtime: { durationS: 1, node24: 'install' },
    conditional: { connections: 50, durationS: 1, rounds: 1 },
    statements: { requests: 5 },
  },
};

const benchEnvSchema = z.object({
  BENCH_PROFILE: z.enum(['full', 'quick']).default('full'),
  /** Comma-separated scenario numbers to run (default: all). */
  BENCH_ONLY: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'comma-separated scenario numbers, e.g. 1,3')
    .optional(),
  /** A git ref to bench side by side with the working tree (see --compare). */
  BENCH_COMPARE: z.string().min(1).optional(),
  /** Under --compare: pairs of runs per scenario (the comparison takes the median of each build's). */
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(5).default(1),
  /** Scenario 7 without Node 24 installed: `install` it from the npm registry, or `skip` the scenario. */
  BENCH_NODE24: z.enum(['install', 'skip']).default('install'),
  /** Override scenario 6's checkpoints, e.g. 100000,300000 when 1M does not fit the time budget. */
  BENCH_MEMORY_CHECKPOINTS: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .optional(),
  BENCH_DATABASE_SERVER: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  BENCH_REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
});

export const USAGE = `npm run bench -- [--quick] [--only 1,3] [--compare <git-ref> [--rounds 3]]
  --quick            a 2-minute smoke test of the harness (BENCH_PROFILE=quick); not a measurement
  --only 1,3         run only these scenarios (BENCH_ONLY)
  --compare <ref>    also build <ref> in .tmp/bench-compare/ and run the chosen scenarios against
                     both builds in the same run, reporting new / old per figure (BENCH_COMPARE)
  --rounds 3         with --compare: run each scenario 3 times per build, compare the medians (BENCH_ROUNDS, 1–5)
Environment: BENCH_NODE24=install|skip, BENCH_MEMORY_CHECKPOINTS, BENCH_DATABASE_SERVER, BENCH_REDIS_URL`;

/** Settings from the command line, falling back on the BENCH_* variables. */
export function loadSettings(env: NodeJS.ProcessEnv, argv: string[] = []) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      profile: { type: 'string' },
      only: { type: 'string' },
      compare: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const e = benchEnvSchema.parse({
    ...env,
    ...(values.quick ? { BENCH_PROFILE: 'quick' } : values.profile ? { BENCH_PROFILE: values.profile } : {}),
    ...(values.only ? { BENCH_ONLY: values.only } : {}),
    ...(values.compare ? { BENCH_COMPARE: values.compare } : {}),
    ...(values.rounds ? { BENCH_ROUNDS: values.rounds } : {}),
  });
  const settings = structuredClone(profiles[e.BENCH_PROFILE]);
  settings.runtime.node24 = e.BENCH_NODE24;
  if (e.BENCH_MEMORY_CHECKPOINTS) settings.memory.checkpoints = e.BENCH_MEMORY_CHECKPOINTS.split(',').map(Number);
  return {
    settings,
    help: values.help === true,
    only: e.BENCH_ONLY ? new Set(e.BENCH_ONLY.split(',').map(Number)) : null,
    compare: e.BENCH_COMPARE ?? null,
    rounds: e.BENCH_ROUNDS,
    databaseServer: e.BENCH_DATABASE_SERVER,
    redisUrl: e.BENCH_REDIS_URL,
  };
}
