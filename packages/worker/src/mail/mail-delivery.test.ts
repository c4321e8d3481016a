import { createOrm, type MikroORM } from '@inkwell/db';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase, uniqueRedisPrefix, waitFor } from '@inkwell/db/testing';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { insertOutboxEvents, rawToken, verifyEmailMessage } from '../test/outbox.js';
import { type SmtpPeer, startSmtpPeer } from '../test/smtp-peer.js';
import { TEST_PUBLIC_URL, workerTestEnv } from '../test/worker-env.js';
import { type RunningWorker, startWorker } from '../worker.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef-0123456789';

function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match?.[1] ? Number(match[1]) : Number.NaN;
}

describe('mail delivery (outbox → BullMQ → SMTP)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let peer: SmtpPeer;
  let worker: RunningWorker;
  const redisPrefix = uniqueRedisPrefix();
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    peer = await startSmtpPeer();
    const config = loadConfig(
      workerTestEnv({
        databaseUrl: db.url,
        smtpUrl: peer.url,
        redisPrefix,
        extra: { MAIL_ATTEMPTS: '20', WORKER_ADMIN_TOKEN: ADMIN_TOKEN, MAIL_CLAIM_STALE_MS: '1500' },
      }),
    );
    worker = await startWorker(config, createLogger(config));
    await redis.connect();
  });
  afterAll(async () => {
    await worker?.stop();
    await peer?.close();
    await orm?.close(true);
    redis.disconnect();
    await db?.drop();
  });

  const mailTo = (address: string) => peer.received.filter((mail) => mail.to.includes(address));
  const metrics = async () => (await fetch(`http://127.0.0.1:${worker.httpPort}/metrics`)).text();

  it('a committed event arrives as a mail with a working link in HTML and text; the token then leaves PostgreSQL; Redis only ever holds the event id', async () => {
    const token = rawToken();
    const [eventId] = await insertOutboxEvents(orm, [verifyEmailMessage(1, token)]);
    await waitFor(() => mailTo('reader1@example.test').length > 0);

    const [mail] = mailTo('reader1@example.test');
    expect(mail?.messageId).toBe(`<${eventId}@127.0.0.1>`);
    const parsed = await simpleParser(mail?.raw ?? Buffer.alloc(0));
    const link = `${TEST_PUBLIC_URL}/verify-email?token=${token}`;
    expect(parsed.subject).toBe('Confirm your email address');
    expect(parsed.text).toContain(link);
    expect(parsed.html).toContain(`href="${link}"`);
    expect(parsed.html).toContain('Hi Reader 1,');

    await waitFor(async () => {
      const [row] = await orm.em
        .fork()
        .execute<{ state: string; token: string | null }[]>(
          `select d.state, e.payload->>'token' as token from mail_deliveries d join outbox_events e on e.id = d.event_id where e.id = ?`,
          [eventId],
        );
      return row?.state === 'sent' && row.token === null;
    });

    const job = await worker.queue.getJob(eventId ?? '');
    expect(job?.data).toEqual({ eventId });
    expect(await job?.getState()).toBe('completed');
    const stored = await redis.hgetall(`${redisPrefix}bull:mail:${eventId}`);
    expect(JSON.parse(stored.data ?? 'null')).toEqual({ eventId });
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('escapes every interpolated value in the HTML part', async () => {
    const hostile = '<img src=x onerror=alert(1)> & "Bob"';
    await insertOutboxEvents(orm, [
      {
        type: 'mail.password-changed',
        payload: { userId: crypto.randomUUID(), email: 'hostile@example.test', displayName: hostile },
      },
    ]);
    await waitFor(() => mailTo('hostile@example.test').length > 0);
    const parsed = await simpleParser(mailTo('hostile@example.test')[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Your password was changed');
    expect(parsed.html).toContain('Hi &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot;,');
    expect(parsed.html).not.toContain('<img');
    expect(parsed.text).toContain(`Hi ${hostile},`);
  });

  it('an SMTP server refusing with 4xx for a while gets the mail after retries, exactly once', async () => {
    const retriedBefore = metricValue(await metrics(), 'inkwell_worker_jobs_retried_total');
    peer.refuseWith(451);
    const [eventId] = await insertOutboxEvents(orm, [
      { type: 'mail.password-reset', payload: { ...verifyEmailMessage(2).payload, token: rawToken() } },
    ]);
    await waitFor(() => peer.refusals() >= 3);
    expect(mailTo('reader2@example.test')).toHaveLength(0);
    peer.refuseWith(null);

    await waitFor(async () => (await worker.queue.getJob(eventId ?? ''))?.finishedOn !== undefined);
    const mails = mailTo('reader2@example.test');
    expect(mails).toHaveLength(1);
    const parsed = await simpleParser(mails[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Reset your password');
    expect(parsed.text).toMatch(new RegExp(`${TEST_PUBLIC_URL}/reset-password\\?token=[\\w-]{43}`));
    const text = await metrics();
    expect(metricValue(text, 'inkwell_worker_jobs_retried_total')).toBeGreaterThanOrEqual(retriedBefore + 3);
    expect(metricValue(text, 'inkwell_worker_mails_failed_total')).toBeGreaterThanOrEqual(3);
  });

  it('a 5xx refusal fails the job for good; it stays inspectable in the admin view and can be retried', async () => {
    peer.refuseWith(550);
    const [eventId] = await insertOutboxEvents(orm, [
      {
        type: 'mail.welcome',
        payload: { userId: crypto.randomUUID(), email: 'gone@example.test', displayName: 'Gone' },
      },
    ]);
    await waitFor(async () => (await worker.queue.getJob(eventId ?? ''))?.failedReason !== undefined);
    peer.refuseWith(null);

    const base = `http://127.0.0.1:${worker.httpPort}`;
    expect((await fetch(`${base}/admin/queues/mail/failed`)).status).toBe(401);
    expect(
      (await fetch(`${base}/admin/queues/mail/failed`, { headers: { authorization: 'Bearer wrong-token' } })).status,
    ).toBe(401);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const listing = await fetch(`${base}/admin/queues/mail/failed?limit=10`, { headers: auth });
    expect(listing.status).toBe(200);
    const body = (await listing.json()) as {
      counts: { failed: number };
      items: { id: string; failedReason: string }[];
    };
    expect(body.counts.failed).toBe(1);
    expect(body.items).toEqual([
      expect.objectContaining({
        id: eventId,
        eventId,
        name: 'mail.welcome',
        failedReason: expect.stringContaining('550'),
      }),
    ]);
    expect(metricValue(await metrics(), 'inkwell_worker_jobs_failed_total')).toBe(1);

    const retry = await fetch(`${base}/admin/queues/mail/jobs/${eventId}/retry`, { method: 'POST', headers: auth });
    expect(retry.status).toBe(200);
    await waitFor(() => mailTo('gone@example.test').length === 1);
    expect(
      (await fetch(`${base}/admin/queues/mail/jobs/${eventId}/retry`, { method: 'POST', headers: auth })).status,
    ).toBe(404);
  });

  /** Commits an event together with a delivery row, as a crashed or earlier attempt leaves it. */
  const insertWithDelivery = async (index: number, state: 'sending' | 'sent') =>
    orm.em.fork().transactional(async (em) => {
      const [eventId = ''] = await insertOutboxEvents(em, [verifyEmailMessage(index)]);
      await em.execute(
        `insert into mail_deliveries (event_id, state, recipient, claimed_at, created_at)
         values (?, ?, ?, clock_timestamp(), clock_timestamp())`,
        [eventId, state, `reader${index}@example.test`],
      );
      return eventId;
    });

  it('a job for an event already sent completes without sending again', async () => {
    const eventId = await insertWithDelivery(3, 'sent');
    await waitFor(async () => (await worker.queue.getJob(eventId))?.finishedOn !== undefined);
    expect((await worker.queue.getJob(eventId))?.returnvalue).toEqual({ outcome: 'already-sent' });
    expect(mailTo('reader3@example.test')).toHaveLength(0);
  });

  it('a delivery left "sending" by a crashed attempt is parked until stale, then sent once and counted', async () => {
    const before = await metrics();
    const started = Date.now();
    const eventId = await insertWithDelivery(4, 'sending');
    await waitFor(() => mailTo('reader4@example.test').length > 0);
    // Not before MAIL_CLAIM_STALE_MS (1.5 s): until then the claim may belong to a live attempt.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    await waitFor(async () => (await worker.queue.getJob(eventId))?.finishedOn !== undefined);
    expect(mailTo('reader4@example.test')).toHaveLength(1);
    const after = await metrics();
    const resent = 'inkwell_worker_mails_resent_after_stale_claim_total';
    expect(metricValue(after, resent)).toBe(metricValue(before, resent) + 1);
    // Parking is not a failed attempt.
    const retried = 'inkwell_worker_jobs_retried_total';
    expect(metricValue(after, retried)).toBe(metricValue(before, retried));
  });

  it('serves /healthz and Prometheus metrics on its own port', async () => {
    const base = `http://127.0.0.1:${worker.httpPort}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const text = await metrics();
    expect(metricValue(text, 'inkwell_worker_jobs_completed_total')).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/^inkwell_worker_mails_sent_total\{type="mail.verify-email"\} 2$/m);
    expect(text).toMatch(/^inkwell_worker_queue_jobs\{queue="mail",state="waiting"\} 0$/m);
    expect(text).toMatch(/^inkwell_worker_queue_jobs\{queue="mail",state="failed"\} 0$/m);
    expect(text).toMatch(/^inkwell_worker_outbox_lag_seconds 0$/m);
    expect(text).toMatch(/^inkwell_worker_outbox_relayed_total \d+$/m);
  });
});
