import { createOrm, type MikroORM } from '@inkwell/db';
import {
  createTestDatabase,
  type SpawnedProcess,
  spawnEntry,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueRedisPrefix,
  waitFor,
} from '@inkwell/db/testing';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAIL_QUEUE_NAME } from './queue.js';
import { deliveryCounts } from './test/deliveries.js';
import { insertOutboxEvents, verifyEmailMessage } from './test/outbox.js';
import { type SmtpPeer, startSmtpPeer } from './test/smtp-peer.js';
import { workerTestEnv } from './test/worker-env.js';

/** The worker as an operator runs it: a real process, killed and signalled for real. */
describe('worker process: crashes and shutdown', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let peer: SmtpPeer;
  let redisPrefix: string;
  const processes: SpawnedProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
  });
  beforeEach(async () => {
    await orm.em.fork().execute('truncate outbox_events cascade');
    peer = await startSmtpPeer();
    redisPrefix = uniqueRedisPrefix();
  });
  afterEach(async () => {
    for (const proc of processes.splice(0)) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    }
    await peer.close();
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  const spawnWorker = async (extra: Record<string, string>) => {
    const env = workerTestEnv({
      databaseUrl: db.url,
      smtpUrl: peer.url,
      redisPrefix,
      extra: { LOG_LEVEL: 'info', ...extra },
    });
    const proc = spawnEntry('worker/src/main.ts', env);
    processes.push(proc);
    await waitFor(() => proc.output().includes('worker started'), 30_000);
    return proc;
  };

  it('SIGKILL in the middle of 500 mails, then a restart: all 500 arrive; duplicates counted', async () => {
    const concurrency = 20;
    const env = {
      WORKER_CONCURRENCY: String(concurrency),
      // A crashed worker's jobs come back after about this long, and its claims go stale.
      MAIL_JOB_LOCK_MS: '2000',
      MAIL_CLAIM_STALE_MS: '3000',
    };
    peer.delayAcceptMs(5);
    const first = await spawnWorker(env);
    await insertOutboxEvents(
      orm,
      Array.from({ length: 500 }, (_, i) => verifyEmailMessage(i)),
    );
    await waitFor(() => peer.received.length >= 150, 60_000, 5);
    first.child.kill('SIGKILL');
    await first.exited;
    // Mid-send at the kill = claimed (`sending`) but not recorded as sent: the only candidates
    // for a duplicate, since the restarted worker cannot know whether SMTP accepted them.
    const atKill = { accepted: peer.received.length, midSend: (await deliveryCounts(orm)).sending };
    expect(atKill.accepted).toBeLessThan(500);

    const second = await spawnWorker(env);
    await waitFor(() => peer.uniqueMessageIds() === 500, 90_000);
    await waitFor(async () => (await deliveryCounts(orm)).sent === 500, 30_000);
    // Let the queue settle, so a late resend would still be counted.
    const queue = new Queue(MAIL_QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix: `${redisPrefix}bull` });
    try {
      await waitFor(async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0;
      }, 30_000);
      expect((await queue.getJobCounts('failed')).failed).toBe(0);
    } finally {
      await queue.close();
    }

    const duplicates = peer.duplicates();
    console.log(
      `SIGKILL test: 500 events, ${peer.received.length} SMTP deliveries, ${duplicates} duplicate(s); ` +
        `at the kill ${atKill.accepted} mails had been accepted and ${atKill.midSend} jobs were mid-send`,
    );
    expect(atKill.midSend).toBeLessThanOrEqual(concurrency);
    expect(duplicates).toBeLessThanOrEqual(atKill.midSend);
    expect(peer.received).toHaveLength(500 + duplicates);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);

  it('SIGTERM while mails are in flight: they finish, then the process exits 0', async () => {
    peer.delayAcceptMs(1_500);
    const proc = await spawnWorker({ WORKER_CONCURRENCY: '5' });
    await insertOutboxEvents(
      orm,
      Array.from({ length: 5 }, (_, i) => verifyEmailMessage(i)),
    );
    await waitFor(() => peer.dataStarted() === 5, 30_000, 20);
    expect(peer.received).toHaveLength(0);
    proc.child.kill('SIGTERM');

    expect(await proc.exited).toBe(0);
    expect(peer.received).toHaveLength(5);
    expect(await deliveryCounts(orm)).toEqual({ sent: 5, sending: 0 });
    expect(proc.output()).toContain('stopped');
  }, 60_000);
});
