/**
 * What `npm test` needs before any test runs, checked in vitest.global-setup.ts so a missing
 * piece is named with its fix instead of surfacing as a failing (or absent) test: PostgreSQL
 * with a role that may create databases, Redis, the redis-server binary (tests that take Redis
 * down start their own), Chromium (browser tests) and docker-compose (the compose test).
 *
 * The servers: TEST_DATABASE_URL / TEST_REDIS_URL when set; else the servers .env points at
 * (where `npm run quickstart` runs them); else the defaults postgres@127.0.0.1:5432, :6379.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv as parseDotEnv } from 'node:util';
import { webAppExists } from './apps.js';
import { findExecutable } from './commands.js';
import { repoRoot, serverOf } from './env-file.js';
import { probePostgres } from './postgres-probe.js';
import { installRedisHint, probeRedis } from './redis.js';

export const CHROMIUM = '/usr/bin/chromium';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The compose CLI: Compose v2 (`docker compose`) is not assumed; Debian ships docker-compose. */
export function composeCommand(): string[] | undefined {
  const v1 = findExecutable('docker-compose');
  return v1 ? [v1] : undefined;
}

/** The server URLs the tests use, and where they came from. */
export function testServers(env: NodeJS.ProcessEnv = process.env): {
  databaseUrl: string;
  redisUrl: string;
  source: string;
} {
  const dotEnvPath = join(repoRoot, '.env');
  const dotEnv = existsSync(dotEnvPath) ? parseDotEnv(readFileSync(dotEnvPath, 'utf8')) : {};
  const fromDotEnv = (url: string | undefined, database?: string) => {
    if (!url) return undefined;
    const parsed = new URL(url);
    if (database) parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  const databaseUrl = env.TEST_DATABASE_URL ?? fromDotEnv(dotEnv.DATABASE_URL, 'postgres') ?? DEFAULT_DATABASE_URL;
  const redisUrl = env.TEST_REDIS_URL ?? fromDotEnv(dotEnv.REDIS_URL) ?? DEFAULT_REDIS_URL;
  const source = env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : dotEnv.DATABASE_URL ? '.env' : 'the defaults';
  return { databaseUrl, redisUrl, source };
}

/** Every missing prerequisite as "what: fix". Empty when the suite can run. */
export async function missingPrerequisites(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const missing: string[] = [];
  const quickstart = 'npm run quickstart (it starts both where .env points), or set TEST_DATABASE_URL/TEST_REDIS_URL';
  const postgres = serverOf(databaseUrl, 5432);
  const probe = await probePostgres(postgres);
  if (probe.kind === 'unreachable') {
    missing.push(`PostgreSQL does not answer at ${postgres.host}:${postgres.port}: ${quickstart}`);
  } else if (probe.kind !== 'ready') {
    missing.push(
      `PostgreSQL at ${postgres.host}:${postgres.port} refused "${postgres.user}": ${probe.reason}. Fix: point TEST_DATABASE_URL at a role that may create databases`,
    );
  } else if (!probe.canCreateDatabase) {
    missing.push(
      `the role "${postgres.user}" may not create databases (each test file makes its own): ALTER ROLE "${postgres.user}" CREATEDB, or point TEST_DATABASE_URL at one that may`,
    );
  }
  const redis = serverOf(redisUrl, 6379);
  const redisProbe = await probeRedis(redis);
  if (redisProbe.kind !== 'ready') missing.push(`Redis does not answer at ${redis.host}:${redis.port}: ${quickstart}`);
  if (!findExecutable('redis-server'))
    missing.push(
      `the redis-server binary is not on PATH (tests that take Redis down start their own): ${installRedisHint()}`,
    );
  if (!existsSync(CHROMIUM))
    missing.push(
      `Chromium is not at ${CHROMIUM} (browser tests): ${process.platform === 'linux' ? 'sudo apt-get install chromium' : 'the browser tests need Debian/Ubuntu chromium'}`,
    );
  if (webAppExists() && !findExecutable('nginx') && !existsSync('/usr/sbin/nginx')) {
    missing.push(
      'nginx is not installed (the compose test serves the web target with it): sudo apt-get install nginx-light',
    );
  }
  if (!composeCommand())
    missing.push(
      'docker-compose is not installed (the compose test validates docker-compose.yml with it): sudo apt-get install docker-compose',
    );
  return missing;
}
