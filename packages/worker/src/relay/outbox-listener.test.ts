import { createOrm, type MikroORM } from '@inkwell/db';
import { createTestDatabase, type TestDatabase, waitFor } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { insertOutboxEvents, verifyEmailMessage } from '../test/outbox.js';
import { type SmtpPeer, startSmtpPeer } from '../test/smtp-peer.js';
import { workerTestEnv } from '../test/worker-env.js';
import { type RunningWorker, startWorker } from '../worker.js';

const LISTENER = 'inkwell-worker-outbox-listener';

describe('outbox relay wake-ups', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let peer: SmtpPeer;
  let worker: RunningWorker;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    peer = await startSmtpPeer();
    // The sweep is an hour away: only NOTIFY (or a reconnect's catch-up pass) can relay here.
    const config = loadConfig(
      workerTestEnv({ databaseUrl: db.url, smtpUrl: peer.url, extra: { OUTBOX_SWEEP_INTERVAL_MS: '3600000' } }),
    );
    worker = await startWorker(config, createLogger(config));
  });
  afterAll(async () => {
    await worker?.stop();
    await peer?.close();
    await orm?.close(true);
    await db?.drop();
  });

  const listenerPids = async () =>
    (
      await orm.em.fork().execute<{ pid: number }[]>(
        // Connected and already listening (its last statement was the LISTEN).
        `select pid from pg_stat_activity
           where datname = current_database() and application_name = ? and query like 'listen %'`,
        [LISTENER],
      )
    ).map((row) => row.pid);

  it('a commit wakes the relay through NOTIFY, without waiting for the sweep', async () => {
    await insertOutboxEvents(orm, [verifyEmailMessage(1)]);
    await waitFor(() => peer.received.length === 1, 10_000);
  });

  it('the LISTEN connection comes back after PostgreSQL drops it, and NOTIFY wakes the relay again', async () => {
    const [before] = await listenerPids();
    expect(before).toBeTypeOf('number');
    await orm.em.fork().execute('select pg_terminate_backend(?)', [before]);
    await waitFor(async () => {
      const pids = await listenerPids();
      return pids.length === 1 && pids[0] !== before;
    }, 15_000);

    await insertOutboxEvents(orm, [verifyEmailMessage(2)]);
    await waitFor(() => peer.received.some((mail) => mail.to.includes('reader2@example.test')), 10_000);
    expect(peer.received).toHaveLength(2);
  });
});
