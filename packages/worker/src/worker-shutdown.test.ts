import { createOrm, type MikroORM } from '@inkwell/db';
import { createTestDatabase, spawnEntry, type TestDatabase, waitFor } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOutboxEvents, verifyEmailMessage } from './test/outbox.js';
import { type SmtpPeer, startSmtpPeer } from './test/smtp-peer.js';
import { workerTestEnv } from './test/worker-env.js';

describe('worker shutdown with a job stuck on a hung SMTP server', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let peer: SmtpPeer;
  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    peer = await startSmtpPeer();
  });
  afterAll(async () => {
    await peer?.close();
    await orm?.close(true);
    await db?.drop();
  });

  it('SIGTERM forces the close after SHUTDOWN_TIMEOUT_MS: a clean exit 0, and the SMTP connection is closed', async () => {
    peer.hangOnData();
    const proc = spawnEntry(
      'worker/src/main.ts',
      workerTestEnv({
        databaseUrl: db.url,
        smtpUrl: peer.url,
        extra: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '1000' },
      }),
    );
    try {
      await waitFor(() => proc.output().includes('worker started'), 20_000);
      await insertOutboxEvents(orm, [verifyEmailMessage(1)]);
      await waitFor(() => peer.dataStarted() === 1);
      expect(peer.openConnections()).toBe(1);

      proc.child.kill('SIGTERM');
      // main.ts exits 1 ("shutdown timed out") if stop() is still waiting SHUTDOWN_TIMEOUT_MS + 5 s later.
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toContain('in-flight mail jobs did not finish in time');
      expect(proc.output()).toContain('stopped');
      await waitFor(() => peer.openConnections() === 0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
