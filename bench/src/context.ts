import type { BenchDatabase } from './database.js';
import { type ApiInstance, type ApiStartOptions, startApi } from './inkwell.js';
import type { Runtime } from './runtimes.js';
import type { SeededData } from './seed.js';
import type { Settings } from './settings.js';

/** What every scenario gets: the seeded bench database, Redis, settings and process starters. */
export interface BenchContext {
  settings: Settings;
  runtime: Runtime;
  db: BenchDatabase;
  seeded: SeededData;
  redisUrl: string;
  /** Redis key prefix of this run (api cache, rate limits, queues). */
  redisPrefix: string;
  /** Environment every api and worker of the run needs beyond the defaults (secrets, costs). */
  extraEnv: Record<string, string>;
  cpuProfile: boolean;
  log(message: string): void;
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
    databaseUrl: ctx.db.url,
    redisUrl: ctx.redisUrl,
    redisPrefix: ctx.redisPrefix,
    cacheEnabled: options.cacheEnabled,
    env: { ...ctx.extraEnv, ...options.env },
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
  };
  return startApi(start);
}
