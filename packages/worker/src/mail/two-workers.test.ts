import { createOrm, type MikroORM } from '@inkwell/db';
import { createTestDatabase, type TestDatabase, uniqueRedisPrefix, waitFor } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { deliveryCounts } from '../test/deliveries.js';
import { insertOutboxEvents, verifyEmailMessage } from '../test/outbox.js';
import { type SmtpPeer, startSmtpPeer } from '../test/smtp-peer.js';
import { workerTestEnv } from '../test/worker-env.js';
import { type RunningWorker, startWorker } from '../worker.js';

const MAILS = 1_000;

describe('two workers against one database and Redis', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let peer: SmtpPeer;
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    peer = await startSmtpPeer();
    const env = workerTestEnv({
      databaseUrl: db.url,
      smtpUrl: peer.url,
      redisPrefix: uniqueRedisPrefix(),
      // Small batches, so both relays take part and SKIP LOCKED is exercised.
      extra: { WORKER_CONCURRENCY: '10', OUTBOX_BATCH_SIZE: '50' },
    });
    for (let i = 0; i < 2; i += 1) {
      const config = loadConfig(env);
      workers.push(await startWorker(config, createLogger(config)));
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await peer?.close();
    await orm?.close(true);
    await db?.drop();
  });

  it(`delivers each of ${MAILS} mails exactly once`, async () => {
    const messages = Array.from({ length: MAILS }, (_, i) => verifyEmailMessage(i));
    const started = performance.now();
    await insertOutboxEvents(orm, messages);
    await waitFor(() => peer.uniqueMessageIds() === MAILS, 120_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `two workers: ${MAILS} mails in ${seconds.toFixed(2)} s (${(MAILS / seconds).toFixed(0)} mails/s, commit → last mail accepted by SMTP)`,
    );

    await waitFor(async () => (await deliveryCounts(orm)).sent === MAILS, 30_000);
    expect(peer.received).toHaveLength(MAILS);
    expect(peer.duplicates()).toBe(0);
    expect(new Set(peer.received.flatMap((mail) => mail.to)).size).toBe(MAILS);
    const perWorker = await Promise.all(
      workers.map(async (worker) => (await worker.metrics.jobsCompleted.get()).values[0]?.value ?? 0),
    );
    console.log(`two workers: jobs completed per worker ${perWorker.join(' + ')}`);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(MAILS);
    expect(perWorker.every((count) => count > 0)).toBe(true);
    const relayed = await Promise.all(
      workers.map(async (worker) => (await worker.metrics.relayed.get()).values[0]?.value ?? 0),
    );
    expect(relayed.reduce((a, b) => a + b, 0)).toBe(MAILS);
  }, 180_000);
});
