import type { MailJobData } from '@inkwell/db';
import { type BackoffStrategy, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from './config.js';

export const MAIL_QUEUE_NAME = 'mail';
/** Name of the custom backoff the mail jobs ask for; the consumer's Worker implements it. */
export const MAIL_BACKOFF_TYPE = 'mail-exponential-jitter';

/** Job names are the outbox event types; unknown ones fail in the consumer, not in the relay. */
export type MailQueue = Queue<MailJobData, MailJobResult, string>;
export type MailJobResult = { outcome: 'sent'; messageId: string } | { outcome: 'already-sent' };

/** BullMQ's own key prefix under ours: REDIS_PREFIX "inkwell:" gives keys "inkwell:bull:mail:…". */
export function bullPrefix(config: Pick<WorkerConfig, 'redis'>): string {
  return `${config.redis.prefix}bull`;
}

/** Options of every mail job: retries with our backoff, failed jobs kept, completed ones trimmed. */
export function mailJobOptions(config: Pick<WorkerConfig, 'mail'>, eventId: string): JobsOptions {
  return {
    // The event id makes adding idempotent: a second add of the same event is ignored by BullMQ.
    jobId: eventId,
    attempts: config.mail.attempts,
    backoff: { type: MAIL_BACKOFF_TYPE },
    removeOnComplete: { count: 1_000, age: 24 * 3600 },
    // Failed jobs stay for inspection (admin view, metrics); a week's worth is plenty.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * min(max, base·2^(n-1)), so retries of many jobs failed by one SMTP outage spread out instead
 * of hitting the server again in lockstep. BullMQ's built-in exponential has no upper bound.
 */
export function mailBackoff(config: Pick<WorkerConfig, 'mail'>, random: () => number = Math.random): BackoffStrategy {
  return (attemptsMade) => {
    const ceiling = Math.min(config.mail.backoffMaxMs, config.mail.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}

export function createMailQueue(config: Pick<WorkerConfig, 'redis'>, connection: Redis): MailQueue {
  return new Queue<MailJobData, MailJobResult, string>(MAIL_QUEUE_NAME, {
    connection,
    prefix: bullPrefix(config),
  });
}
