import { randomBytes } from 'node:crypto';
import { deleteRedisKeys } from '@inkwell/db/testing';
import type { Build } from './builds.js';
import { type BenchDatabase, createBenchDatabase } from './database.js';
import { type ApiInstance, type ApiStartOptions, startApi } from './inkwell.js';
import { type MeasuredProcess, startProcess } from './processes.js';
import { log } from './progress.js';
import type { Runtime } from './runtimes.js';
import { type Argon2Cost, type SeededData, seedBenchData } from './seed.js';
import type { Settings } from './settings.js';

/** argon2id cost of the bench: the api's default (OWASP minimum), passed to it explicitly; seeded hashes use it. */
export const ARGON2_COST: Argon2Cost = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** What every scenario gets: the seeded bench database, Redis, settings and process starters. */
export interface BenchContext {
  settings: Settings;
  runtime: Runtime;
  /** The built api and worker under test (the working tree, or the old build under --compare). */
  build: Build;
  db: BenchDatabase;
  seeded: SeededData;
  redisUrl: string;
  /** Redis key prefix of this run (api cache, rate limits, queues). */
  redisPrefix: string;
  /** Environment every api and worker of the run needs beyond the defaults (secrets, costs). */
  extraEnv: Record<string, string>;
  /** Bearer token of /metrics on every bench api (production refuses an open /metrics). */
  metricsToken: string;
  log(message: string): void;
  /** Names the step the scenario is in, for the progress line. */
  step(message: string): void;
}

/**
 * A bench database of its own (migrated, seeded with generated content) and a Redis prefix of
 * its own; `close()` drops the database and deletes the prefix's keys.
 */
export async function openBench(options: {
  settings: Settings;
  runtime: Runtime;
  build: Build;
  databaseServer: string;
  redisUrl: string;
  posts: number;
  authors: number;
}): Promise<{ ctx: BenchContext; close(): Promise<void> }> {
  const db = await createBenchDatabase(options.databaseServer);
  const redisPrefix = `inkwell-bench:${randomBytes(4).toString('hex')}:`;
  const close = async () => {
    await db.drop().catch((error: unknown) => log(`could not drop ${db.name}: ${String(error)}`));
    await deleteRedisKeys(redisPrefix, options.redisUrl).catch((error: unknown) =>
      log(`could not clean Redis: ${String(error)}`),
    );
  };
  try {
    log(`database ${db.name}, redis prefix ${redisPrefix}`);
    const seeded = await seedBenchData(db.url, { authors: options.authors, posts: options.posts, cost: ARGON2_COST });
    log(`seeded ${seeded.authors.length} authors, ${seeded.posts.length} posts`);
    const metricsToken = randomBytes(24).toString('base64url');
    const ctx: BenchContext = {
      settings: options.settings,
      runtime: options.runtime,
      build: options.build,
      db,
      seeded,
      redisUrl: options.redisUrl,
      redisPrefix,
      extraEnv: { ...benchSettings(), METRICS_TOKEN: metricsToken },
      metricsToken,
      log,
      step: log,
    };
    return { ctx, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Settings every bench process gets on top of the defaults: a random JWT secret per run, the
 * argon2 cost the seeded hashes were made with, and login rate limits out of the way of the
 * login scenario (which logs the same 20 accounts in thousands of times from one IP).
 */
function benchSettings(): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(32).toString('base64url'),
    ARGON2_MEMORY_KIB: String(ARGON2_COST.memoryCost),
    ARGON2_TIME_COST: String(ARGON2_COST.timeCost),
    ARGON2_PARALLELISM: String(ARGON2_COST.parallelism),
    RATE_LIMIT_LOGIN_ACCOUNT: '999999/60',
    RATE_LIMIT_LOGIN_IP: '999999/60',
    // Several workers on one machine: each picks a free port for its /healthz and /metrics.
    WORKER_METRICS_PORT: '0',
  };
}

/** An api on the bench database and prefix; `cacheEnabled` false is the "cold" configuration. */
export function startBenchApi(
  ctx: BenchContext,
  options: {
    name: string;
    cacheEnabled: boolean;
    runtime?: Runtime;
    nodeFlags?: string[];
    env?: Record<string, string>;
  },
): Promise<ApiInstance> {
  const start: ApiStartOptions = {
    name: options.name,
    runtime: options.runtime ?? ctx.runtime,
    entry: ctx.build.apiEntry,
    cwd: ctx.build.root,
    databaseUrl: ctx.db.url,
    redisUrl: ctx.redisUrl,
    redisPrefix: ctx.redisPrefix,
    cacheEnabled: options.cacheEnabled,
    env: { ...ctx.extraEnv, ...options.env },
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
  };
  return startApi(start);
}

/** The worker's environment on the bench database and prefix, sending to `smtpPort`. */
export function workerEnv(ctx: BenchContext, smtpPort: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: ctx.db.url,
    REDIS_URL: ctx.redisUrl,
    REDIS_PREFIX: ctx.redisPrefix,
    PUBLIC_URL: 'http://127.0.0.1:5173',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_FROM: 'Inkwell <no-reply@inkwell.test>',
    ...ctx.extraEnv,
  };
}

/** Starts the build's `packages/worker/dist/main.js` (built code, plain node). */
export function startBenchWorker(ctx: BenchContext, name: string, smtpPort: number): MeasuredProcess {
  return startProcess({
    name,
    runtime: ctx.runtime,
    entry: ctx.build.workerEntry,
    cwd: ctx.build.root,
    env: workerEnv(ctx, smtpPort),
  });
}
