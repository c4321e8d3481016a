import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const issuedPrefixes = new Set<string>();

/**
 * A key prefix of its own for one test file, so files share the Redis server safely. Every
 * prefix handed out is deleted after the file (vitest.setup.ts), whoever used it.
 */
export function uniqueRedisPrefix(): string {
  const prefix = `inkwell-test:${randomBytes(5).toString('hex')}:`;
  issuedPrefixes.add(prefix);
  return prefix;
}

/** Deletes the keys under every prefix `uniqueRedisPrefix()` handed out in this test file. */
export async function deleteIssuedRedisPrefixes(): Promise<void> {
  for (const prefix of issuedPrefixes) await deleteRedisKeys(prefix).catch(() => undefined);
  issuedPrefixes.clear();
}

/** Deletes every key under `prefix` (tests only: SCAN is fine here, never on a request path). */
export async function deleteRedisKeys(prefix: string, url: string = TEST_REDIS_URL): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export interface ScratchRedis {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: as abrupt as a crash); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A private redis-server on its own port, for tests that take Redis down: the shared server
 * must stay up for the test files running in parallel.
 */
export async function startScratchRedis(): Promise<ScratchRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => 50,
      maxRetriesPerRequest: null,
    });
    // Refused connections are expected until the server is up; ioredis retries them.
    probe.on('error', () => undefined);
    try {
      await probe.connect().catch(() => undefined);
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async kill() {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
