import { createTransport } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { WorkerConfig } from '../config.js';

/** SMTP pool options from SMTP_URL (smtp://user:pass@host:port, or smtps:// for implicit TLS). */
export function smtpPoolOptions(config: Pick<WorkerConfig, 'smtp' | 'mail'>): SMTPPool.Options {
  const url = new URL(config.smtp.url);
  const secure = url.protocol === 'smtps:';
  return {
    pool: true,
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // One connection per concurrent job, each reused for many messages.
    maxConnections: config.mail.concurrency,
    maxMessages: 1_000,
    // Bounded, so a hung server fails an attempt (and it is retried) well within MAIL_CLAIM_STALE_MS.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
  };
}

export function createMailTransport(config: Pick<WorkerConfig, 'smtp' | 'mail'>) {
  return createTransport(smtpPoolOptions(config));
}

export type MailTransport = ReturnType<typeof createMailTransport>;
