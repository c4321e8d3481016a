import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  type ScratchRedis,
  type SpawnedProcess,
  spawnEntry,
  startScratchRedis,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueRedisPrefix,
  waitFor,
} from '@inkwell/db/testing';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { type SmtpPeer, startSmtpPeer } from '../test/smtp-peer.js';
import { TEST_PUBLIC_URL, workerTestEnv } from '../test/worker-env.js';
import { type RunningWorker, startWorker } from '../worker.js';

/** The real api as a process from its entry (the worker package imports no api code). */
async function spawnApi(databaseUrl: string, redisPrefix: string): Promise<{ api: SpawnedProcess; url: string }> {
  const api = spawnEntry('api/src/main.ts', {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    PUBLIC_URL: TEST_PUBLIC_URL,
    JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef0123456789',
  });
  await waitFor(() => api.output().includes('api listening'), 30_000);
  return { api, url: /"url":"(http:\/\/[^"]+)"/.exec(api.output())?.[1] ?? '' };
}

async function stopApi(api: SpawnedProcess | undefined): Promise<void> {
  if (api && api.child.exitCode === null) {
    api.child.kill('SIGTERM');
    await api.exited;
  }
}

const trpcBody = z.object({ result: z.object({ data: z.unknown() }).optional() });
const meBody = z.object({ result: z.object({ data: z.object({ emailVerified: z.boolean() }) }) });

/**
 * Register → verification mail → following its link verifies the account, through the real api
 * process (spawned from its entry, so the worker package never imports api code) and a worker
 * sharing its database and Redis prefix.
 */
describe('end to end: registration mail', () => {
  let db: TestDatabase;
  let peer: SmtpPeer;
  let api: SpawnedProcess;
  let apiUrl: string;
  let worker: RunningWorker;
  const redisPrefix = uniqueRedisPrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    peer = await startSmtpPeer();
    ({ api, url: apiUrl } = await spawnApi(db.url, redisPrefix));
    const config = loadConfig(workerTestEnv({ databaseUrl: db.url, smtpUrl: peer.url, redisPrefix }));
    worker = await startWorker(config, createLogger(config));
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await stopApi(api);
    await peer?.close();
    await db?.drop();
  });

  const trpc = async (path: string, input: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${apiUrl}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input),
    });
    const body = trpcBody.parse(await res.json());
    return { status: res.status, data: body.result?.data };
  };
  const me = async (accessToken: string) => {
    const res = await fetch(`${apiUrl}/trpc/auth.me`, { headers: { authorization: `Bearer ${accessToken}` } });
    return meBody.parse(await res.json()).result.data;
  };

  it('the verification mail arrives with a link whose token verifies the account, once', async () => {
    const suffix = randomBytes(4).toString('hex');
    const email = `new_${suffix}@example.test`;
    const password = `correct horse battery ${suffix}`;
    const registered = await trpc('auth.register', {
      email,
      username: `new_${suffix}`,
      displayName: 'New Reader',
      password,
    });
    expect(registered.status).toBe(200);

    await waitFor(() => peer.received.some((mail) => mail.to.includes(email)), 30_000);
    const parsed = await simpleParser(peer.received.find((mail) => mail.to.includes(email))?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Confirm your email address');
    const link = /(http:\/\/\S+\/verify-email\?token=[\w-]+)/.exec(parsed.text ?? '')?.[1] ?? '';
    expect(link.startsWith(`${TEST_PUBLIC_URL}/verify-email?token=`)).toBe(true);
    expect(parsed.html).toContain(`href="${link}"`);

    // Signing in waits for the verification.
    const early = await trpc('auth.login', { email, password });
    expect(early.status).toBe(403);

    // The link opens the web app, which posts its token to auth.verifyEmail.
    const token = new URL(link).searchParams.get('token');
    expect((await trpc('auth.verifyEmail', { token })).status).toBe(200);
    const login = await trpc('auth.login', { email, password });
    expect(login.status).toBe(200);
    const { accessToken } = z.object({ accessToken: z.string() }).parse(login.data);
    expect((await me(accessToken)).emailVerified).toBe(true);
    // Single use: the same link does not work twice.
    expect((await trpc('auth.verifyEmail', { token })).status).toBe(400);

    // Verification sends the welcome mail through the same outbox; each mail exactly once.
    await waitFor(() => peer.received.filter((mail) => mail.to.includes(email)).length === 2, 30_000);
    const subjects = await Promise.all(
      peer.received
        .filter((mail) => mail.to.includes(email))
        .map(async (mail) => (await simpleParser(mail.raw)).subject),
    );
    expect(subjects).toEqual(['Confirm your email address', 'Welcome to Inkwell']);
    expect(peer.duplicates()).toBe(0);
  }, 90_000);
});

/**
 * The queue's Redis down while a user registers: registration commits (the api writes only an
 * outbox row, never a job), and the mail goes out once that Redis is back. The api keeps its
 * own Redis for rate limits and sessions, which fail closed by design: with one Redis for
 * everything, registration is refused (503) while it is down, and nothing is half-done.
 */
describe('end to end: registration while the queue Redis is down', () => {
  let db: TestDatabase;
  let peer: SmtpPeer;
  let queueRedis: ScratchRedis;
  let api: SpawnedProcess;
  let apiUrl: string;
  let worker: RunningWorker;

  beforeAll(async () => {
    db = await createTestDatabase();
    peer = await startSmtpPeer();
    queueRedis = await startScratchRedis();
    ({ api, url: apiUrl } = await spawnApi(db.url, uniqueRedisPrefix()));
    const config = loadConfig(workerTestEnv({ databaseUrl: db.url, smtpUrl: peer.url, redisUrl: queueRedis.url }));
    worker = await startWorker(config, createLogger(config));
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await stopApi(api);
    await queueRedis?.kill();
    await peer?.close();
    await db?.drop();
  });

  it('registration succeeds and the verification mail arrives after Redis returns', async () => {
    await queueRedis.kill();
    const suffix = randomBytes(4).toString('hex');
    const email = `queued_${suffix}@example.test`;
    const res = await fetch(`${apiUrl}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email,
        username: `queued_${suffix}`,
        displayName: 'Queued Reader',
        password: `correct horse battery ${suffix}`,
      }),
    });
    expect(res.status).toBe(200);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const pending = await client.query<{ dispatched_at: Date | null }>(
        `select dispatched_at from outbox_events where type = 'mail.verify-email' and payload->>'email' = $1`,
        [email],
      );
      expect(pending.rows).toHaveLength(1);
      // Give the relay a few passes against the dead Redis: the row must stay put, no mail.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const still = await client.query<{ dispatched_at: Date | null }>(
        `select dispatched_at from outbox_events where payload->>'email' = $1`,
        [email],
      );
      expect(still.rows.every((row) => row.dispatched_at === null)).toBe(true);
      expect(peer.received.some((mail) => mail.to.includes(email))).toBe(false);
    } finally {
      await client.end();
    }

    await queueRedis.start();
    await waitFor(() => peer.received.some((mail) => mail.to.includes(email)), 60_000);
    const parsed = await simpleParser(peer.received.find((mail) => mail.to.includes(email))?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Confirm your email address');
    expect(peer.duplicates()).toBe(0);
  }, 120_000);
});
