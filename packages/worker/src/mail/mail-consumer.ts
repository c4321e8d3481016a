import {
  type EntityManager,
  type MailJobData,
  type MikroORM,
  mailJobDataSchema,
  OutboxEvent,
  type OutboxMessage,
  parseOutboxMessage,
} from '@inkwell/db';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { WorkerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { WorkerMetrics } from '../metrics.js';
import { bullPrefix, MAIL_QUEUE_NAME, type MailJobResult, mailBackoff } from '../queue.js';
import { claimDelivery, markDeliverySent, releaseDelivery } from './deliveries.js';
import { type RenderedMail, renderMail } from './templates.js';
import type { MailTransport } from './transport.js';

export interface MailConsumerDeps {
  orm: MikroORM;
  connection: Redis;
  transport: MailTransport;
  config: Pick<WorkerConfig, 'redis' | 'mail' | 'publicUrl' | 'smtp'>;
  logger: Logger;
  metrics: WorkerMetrics;
}

const RECORD_SENT_RETRY_DELAYS_MS = [200, 1_000, 3_000];

/**
 * Records a sent mail, retrying a few times: once SMTP has accepted it, failing here would leave
 * a `sending` claim behind and, after MAIL_CLAIM_STALE_MS, a duplicate.
 */
async function recordSent(em: EntityManager, eventId: string, messageId: string, log: Logger): Promise<void> {
  for (const delay of [...RECORD_SENT_RETRY_DELAYS_MS, null]) {
    try {
      await markDeliverySent(em, eventId, messageId);
      return;
    } catch (error) {
      if (delay === null) throw error;
      log.warn({ err: error }, 'could not record a sent mail; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** What a failed SMTP exchange tells us: 5xx is permanent (retrying cannot help), the rest is not. */
const smtpErrorSchema = z.object({ responseCode: z.number().int() });

/**
 * Sends one mail per job. The job holds only the event id; the payload (with the raw token) is
 * read from PostgreSQL here and the token is blanked once the mail is sent.
 *
 * Exactly-once: the delivery row is claimed before SMTP and marked sent after. A job whose
 * event was already sent completes without sending. A claim still `sending` belongs either to
 * an attempt in flight elsewhere (the job is parked until the claim would go stale) or to one that crashed mid-send: after
 * MAIL_CLAIM_STALE_MS it is taken over and the mail is sent again — the only way a duplicate
 * can happen, counted in inkwell_worker_mails_resent_after_stale_claim_total and logged.
 */
export function startMailConsumer(deps: MailConsumerDeps) {
  const { orm, connection, transport, config, logger, metrics } = deps;
  const messageIdHost = new URL(config.publicUrl).hostname || 'inkwell.invalid';

  const send = async (job: Job<MailJobData, MailJobResult, string>, token?: string): Promise<MailJobResult> => {
    const data = mailJobDataSchema.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError('job data is not { eventId }');
    const { eventId } = data.data;
    const em = orm.em.fork();
    const event = await em.findOne(OutboxEvent, { id: eventId });
    if (!event) throw new UnrecoverableError(`outbox event ${eventId} does not exist`);
    const log = logger.child({ jobId: job.id, eventId, type: event.type, requestId: event.requestId });
    let message: OutboxMessage;
    try {
      message = parseOutboxMessage(event.type, event.payload);
    } catch {
      // Not the zod message: it could quote payload values, and the payload holds a token.
      throw new UnrecoverableError(`outbox event ${eventId} has an invalid ${event.type} payload`);
    }

    const claim = await claimDelivery(em, eventId, message.payload.email, config.mail.claimStaleMs);
    if (claim.kind === 'already-sent') {
      log.info('mail already sent; nothing to do');
      return { outcome: 'already-sent' };
    }
    if (claim.kind === 'in-progress') {
      // Not a failed attempt: park the job until the claim is either marked sent or stale.
      log.info({ retryInMs: claim.staleInMs }, 'another attempt holds this delivery; looking again later');
      await job.moveToDelayed(Date.now() + claim.staleInMs + 250, token);
      throw new DelayedError();
    }
    if (claim.kind === 'reclaimed') {
      metrics.mailsResent.inc();
      log.warn('resending a mail whose earlier attempt crashed mid-send (possible duplicate)');
    }

    let rendered: RenderedMail;
    try {
      rendered = renderMail(message, config.publicUrl);
    } catch (error) {
      await releaseDelivery(em, eventId);
      throw new UnrecoverableError(`outbox event ${eventId} cannot be rendered: ${String(error)}`);
    }
    let messageId: string;
    try {
      const info = await transport.sendMail({
        from: config.smtp.from,
        to: { name: message.payload.displayName, address: message.payload.email },
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        // Stable per event, so a receiving system (and our tests) can recognise a resend.
        messageId: `<${eventId}@${messageIdHost}>`,
      });
      messageId = info.messageId;
    } catch (error) {
      metrics.mailsFailed.inc({ type: message.type });
      await releaseDelivery(em, eventId);
      const smtp = smtpErrorSchema.safeParse(error);
      if (smtp.success && smtp.data.responseCode >= 500) {
        throw new UnrecoverableError(`SMTP server refused the mail for good (${smtp.data.responseCode})`);
      }
      throw error;
    }
    metrics.mailsSent.inc({ type: message.type });
    await recordSent(em, eventId, messageId, log);
    log.info({ messageId }, 'mail sent');
    return { outcome: 'sent', messageId };
  };

  const processor = async (job: Job<MailJobData, MailJobResult, string>, token?: string): Promise<MailJobResult> => {
    try {
      const result = await send(job, token);
      metrics.jobsCompleted.inc();
      return result;
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      // attemptsMade counts earlier failed attempts while this one runs.
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) {
        metrics.jobsFailed.inc();
        logger.error({ err: error, jobId: job.id, attempts: job.attemptsMade + 1 }, 'mail job failed for good');
      } else {
        metrics.jobsRetried.inc();
        logger.warn({ err: error, jobId: job.id, attempt: job.attemptsMade + 1 }, 'mail job failed; will retry');
      }
      throw error;
    }
  };

  const worker = new Worker<MailJobData, MailJobResult, string>(MAIL_QUEUE_NAME, processor, {
    connection,
    prefix: bullPrefix(config),
    concurrency: config.mail.concurrency,
    lockDuration: config.mail.jobLockMs,
    stalledInterval: config.mail.jobLockMs,
    // A job interrupted by a crash is retried; twice in a row means something is wrong with it.
    maxStalledCount: 2,
    settings: { backoffStrategy: mailBackoff(config) },
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'mail worker error'));
  return worker;
}
