import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { findExecutable, run, tail } from './commands.js';
import { repoRoot, type ServerAddress } from './env-file.js';
import { detail, SetupError, step } from './report.js';
import type { PackageManager } from './system-packages.js';

/** BullMQ's recommended minimum (older servers lack commands its scripts use). */
export const MIN_REDIS_VERSION = [6, 2] as const;

export type RedisProbe =
  | { kind: 'ready'; version: string }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'refused-login'; reason: string }
  | { kind: 'failed'; reason: string };

function redisClient(address: ServerAddress): Redis {
  const client = new Redis({
    host: address.host,
    port: address.port,
    ...(address.user ? { username: address.user } : {}),
    ...(address.password ? { password: address.password } : {}),
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  return client;
}

export async function probeRedis(address: ServerAddress): Promise<RedisProbe> {
  const client = redisClient(address);
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return { kind: 'ready', version };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/NOAUTH|WRONGPASS|invalid password/i.test(reason)) return { kind: 'refused-login', reason };
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|Connection is closed/i.test(reason)) {
      return { kind: 'unreachable', reason };
    }
    return { kind: 'failed', reason };
  } finally {
    client.disconnect();
  }
}

function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

// --- a private redis-server under .tmp/redis ------------------------------------------------

export function privateRedisPaths() {
  const dir = join(repoRoot, '.tmp/redis');
  return { dir, conf: join(dir, 'redis.conf'), stateFile: join(dir, 'server.json'), logFile: join(dir, 'redis.log') };
}

const redisStateSchema = z.object({ binary: z.string(), origin: z.string(), host: z.string(), port: z.number().int() });
type RedisState = z.output<typeof redisStateSchema>;

function readRedisState(): RedisState | undefined {
  const { stateFile } = privateRedisPaths();
  if (!existsSync(stateFile)) return undefined;
  const parsed = redisStateSchema.safeParse(JSON.parse(readFileSync(stateFile, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

async function findRedisServer(): Promise<{ binary: string; origin: string; version: string } | undefined> {
  const candidates: { binary: string; origin: string }[] = [];
  const onPath = findExecutable('redis-server');
  if (onPath) candidates.push({ binary: onPath, origin: 'PATH' });
  const brew = findExecutable('brew');
  if (brew) {
    const prefix = (await run(brew, ['--prefix', 'redis'])).stdout.trim();
    if (prefix) candidates.push({ binary: join(prefix, 'bin/redis-server'), origin: "Homebrew's redis" });
  }
  for (const candidate of candidates) {
    if (!existsSync(candidate.binary)) continue;
    const version = /v=(\d+\.\d+\.\d+)/.exec((await run(candidate.binary, ['--version'])).stdout)?.[1];
    if (version && versionAtLeast(version, MIN_REDIS_VERSION)) return { ...candidate, version };
    if (version) detail(`skipping ${candidate.binary}: Redis ${version} is older than ${MIN_REDIS_VERSION.join('.')}`);
  }
  return undefined;
}

/** Starts redis-server with a config of ours: AOF on (queued mails survive), noeviction (BullMQ). */
async function startPrivateRedis(state: RedisState, address: ServerAddress): Promise<void> {
  const { dir, conf, stateFile, logFile } = privateRedisPaths();
  mkdirSync(dir, { recursive: true });
  const lines = [
    `port ${address.port}`,
    `bind ${address.host === 'localhost' ? '127.0.0.1 -::1' : address.host}`,
    `dir ${dir}`,
    'daemonize yes',
    `pidfile ${join(dir, 'redis.pid')}`,
    `logfile ${logFile}`,
    'appendonly yes',
    'save ""',
    'maxmemory-policy noeviction',
    ...(address.password ? [`requirepass "${address.password.replaceAll('"', '\\"')}"`] : []),
    '',
  ];
  writeFileSync(conf, lines.join('\n'), { mode: 0o600 });
  const next = { ...state, host: address.host, port: address.port };
  writeFileSync(stateFile, `${JSON.stringify(next, null, 2)}\n`);
  const started = await run(state.binary, [conf]);
  if (started.code !== 0) {
    throw new SetupError(
      `redis-server did not start: ${tail(started.stderr || started.stdout)}`,
      `free port ${address.port} or change REDIS_URL in .env; its log is ${logFile}`,
    );
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await probeRedis(address)).kind === 'ready') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = existsSync(logFile) ? tail(readFileSync(logFile, 'utf8')) : '';
  throw new SetupError(
    `the private Redis did not answer on ${address.host}:${address.port}:\n${log}`,
    `see ${logFile}`,
  );
}

/** Shuts the private Redis down (it writes its AOF first); true if one was running. */
export async function stopPrivateRedis(): Promise<boolean> {
  const state = readRedisState();
  if (!state) return false;
  const { conf } = privateRedisPaths();
  const password = /^requirepass "(.*)"$/m.exec(existsSync(conf) ? readFileSync(conf, 'utf8') : '')?.[1];
  const client = redisClient({
    host: state.host,
    port: state.port,
    user: '',
    password: password?.replaceAll('\\"', '"') ?? '',
    database: '',
    local: true,
  });
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return false;
  }
  await client.call('shutdown').catch(() => undefined);
  client.disconnect();
  return true;
}

/** Makes sure a Redis answers at REDIS_URL, starting a private one when nothing listens there. */
export async function ensureRedis(address: ServerAddress, packageManager: () => Promise<PackageManager | undefined>) {
  const where = `${address.host}:${address.port}`;
  let probe = await probeRedis(address);
  if (probe.kind === 'unreachable' && address.local) {
    const previous = readRedisState();
    if (previous && existsSync(previous.binary)) {
      step(`Redis: nothing answers at ${where}; starting the private Redis in .tmp/redis again`);
      await startPrivateRedis(previous, address);
    } else {
      let found = await findRedisServer();
      if (!found) {
        const manager = await packageManager();
        if (manager && (await manager.install([manager.packages.redis]))) {
          probe = await probeRedis(address);
          // A package that started its own service on this port (systemd) is used as it is.
          if (probe.kind !== 'unreachable') return ensureRedisReady(probe, where, 'the system service just installed');
          found = await findRedisServer();
        }
      }
      if (!found)
        throw new SetupError(`no Redis answers at ${where} and no redis-server is installed`, installRedisHint());
      step(
        `Redis: nothing answers at ${where}; starting a private Redis ${found.version} (${found.origin}: ${found.binary})`,
      );
      await startPrivateRedis(
        { binary: found.binary, origin: found.origin, host: address.host, port: address.port },
        address,
      );
      detail('data in .tmp/redis (append-only file); stop it: npm run stop; remove it: rm -rf .tmp/redis');
    }
    probe = await probeRedis(address);
  }
  const privateOne = readRedisState()?.port === address.port ? 'the private one in .tmp/redis' : undefined;
  return ensureRedisReady(probe, where, privateOne);
}

function ensureRedisReady(probe: RedisProbe, where: string, which?: string): void {
  if (probe.kind === 'unreachable') {
    throw new SetupError(
      `Redis does not answer at ${where} (REDIS_URL in .env): ${probe.reason}`,
      'start that server, or point REDIS_URL at 127.0.0.1 with a free port to let the quickstart run one',
    );
  }
  if (probe.kind === 'refused-login') {
    throw new SetupError(
      `Redis at ${where} refused the credentials of REDIS_URL: ${probe.reason}`,
      'put the right password in REDIS_URL (.env): redis://:PASSWORD@host:port',
    );
  }
  if (probe.kind === 'failed')
    throw new SetupError(`Redis at ${where} failed: ${probe.reason}`, 'check REDIS_URL in .env');
  if (!versionAtLeast(probe.version, MIN_REDIS_VERSION)) {
    throw new SetupError(
      `Redis ${probe.version} at ${where} is older than ${MIN_REDIS_VERSION.join('.')} (BullMQ needs it)`,
      'upgrade it, or point REDIS_URL at a free local port to let the quickstart run a private one',
    );
  }
  step(`Redis ${probe.version} answers at ${where}${which ? ` (${which})` : ''}`);
}

export function installRedisHint(): string {
  if (process.platform === 'darwin') return 'brew install redis';
  if (findExecutable('apt-get')) return 'sudo apt-get install redis-server';
  return 'install Redis ≥ 6.2 (redis-server on PATH), or set REDIS_URL in .env to a Redis you have';
}
