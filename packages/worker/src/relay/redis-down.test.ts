import { createOrm, type MikroORM } from '@inkwell/db';
import {
  createTestDatabase,
  type ScratchRedis,
  startScratchRedis,
  type TestDatabase,
  waitFor,
} from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { insertOutboxEvents, verifyEmailMessage } from '../test/outbox.js';
import { type SmtpPeer, startSmtpPeer } from '../test/smtp-peer.js';
import { workerTestEnv } from '../test/worker-env.js';
import { type RunningWorker, startWorker } from '../worker.js';

describe('outbox relay with Redis down', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let peer: SmtpPeer;
  let redis: ScratchRedis;
  let worker: RunningWorker;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    peer = await startSmtpPeer();
    redis = await startScratchRedis();
    const config = loadConfig(workerTestEnv({ databaseUrl: db.url, smtpUrl: peer.url, redisUrl: redis.url }));
    worker = await startWorker(config, createLogger(config));
  });
  afterAll(async () => {
    await redis?.start();
    await worker?.stop();
    await redis?.kill();
    await peer?.close();
    await orm?.close(true);
    await db?.drop();
  });

  const outboxRow = async (id: string) => {
    const [row] = await orm.em
      .fork()
      .execute<{ dispatched_at: Date | null; attempts: number; last_error: string | null }[]>(
        'select dispatched_at, attempts, last_error from outbox_events where id = ?',
        [id],
      );
    return row;
  };

  it('an event written while Redis is down stays undispatched, and its mail arrives once Redis is back', async () => {
    await insertOutboxEvents(orm, [verifyEmailMessage(1)]);
    await waitFor(() => peer.received.length === 1);

    await redis.kill();
    const [eventId = ''] = await insertOutboxEvents(orm, [verifyEmailMessage(2)]);
    // At least two failed passes (the NOTIFY wake-up and a sweep), recorded on the row.
    await waitFor(async () => ((await outboxRow(eventId))?.attempts ?? 0) >= 2, 20_000);
    const row = await outboxRow(eventId);
    expect(row?.dispatched_at).toBeNull();
    expect(row?.last_error).toMatch(/^relay: /);
    expect(peer.received).toHaveLength(1);

    await redis.start();
    await waitFor(() => peer.received.some((mail) => mail.to.includes('reader2@example.test')), 30_000);
    expect((await outboxRow(eventId))?.dispatched_at).not.toBeNull();
    expect((await outboxRow(eventId))?.last_error).toBeNull();
    expect(peer.received).toHaveLength(2);
    expect(peer.duplicates()).toBe(0);
  }, 90_000);
});
