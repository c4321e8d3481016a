import {
  createTestDatabase,
  deleteRedisKeys,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueRedisPrefix,
} from '@inkwell/db/testing';
import type { AnyTRPCRouter } from '@trpc/server';
import { type Config, loadConfig } from '../config.js';
import { type AppDeps, createDeps } from '../deps.js';
import type { FastPathRoute } from '../http/fast-path.js';
import type { Logger } from '../logger.js';
import { type RunningServer, startServer } from '../server.js';

export interface TestApi {
  url: string;
  config: Config;
  deps: AppDeps;
  db: TestDatabase;
  server: RunningServer;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Share a database (and Redis prefix) with another instance instead of making a new one. */
  shareWith?: TestApi;
  /** Serve a test-only router instead of `appRouter` (and the fast-path routes for it). */
  router?: AnyTRPCRouter;
  fastPathRoutes?: readonly FastPathRoute[];
  /** Log through this logger (e.g. one that writes to a buffer the test reads). */
  logger?: Logger;
}

/** Baseline environment of a test api (DATABASE_URL and REDIS_PREFIX are filled in per file). */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    PUBLIC_URL: 'http://127.0.0.1:5173',
    SHUTDOWN_TIMEOUT_MS: '2000',
    READINESS_TIMEOUT_MS: '500',
    // Test-only key; never used outside tests.
    JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef0123456789',
    // `CACHE_ENABLED=false npm test` runs the whole suite with the query cache off.
    ...(process.env.CACHE_ENABLED ? { CACHE_ENABLED: process.env.CACHE_ENABLED } : {}),
    ...overrides,
  };
}

/** A real api over HTTP on a random port, with its own migrated database and Redis prefix. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const shared = options.shareWith;
  const db = shared?.db ?? (await createTestDatabase());
  const prefix = shared?.config.redis.prefix ?? uniqueRedisPrefix();
  const config = loadConfig(testEnv({ DATABASE_URL: db.url, REDIS_PREFIX: prefix, ...options.env }));
  const deps = await createDeps(config, options.logger);
  const server = await startServer(deps, { router: options.router, fastPathRoutes: options.fastPathRoutes });
  return {
    url: server.url,
    config,
    deps,
    db,
    server,
    async close() {
      await server.stop();
      if (!shared) {
        await deleteRedisKeys(prefix, config.redis.url).catch(() => undefined);
        await db.drop();
      }
    },
  };
}
