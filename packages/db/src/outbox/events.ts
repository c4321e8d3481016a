import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { OutboxEvent } from '../entities/outbox-event.entity.js';

/**
 * The outbox contract between api (writer) and worker (reader).
 *
 * Tokens: the raw email token lives only in the PostgreSQL payload (the row is written in the
 * same transaction as the token's hash). BullMQ jobs carry the event id and nothing else, so
 * no raw token ever reaches Redis; the worker reads the payload from PostgreSQL at render time
 * and blanks the token once the mail is sent.
 */
const recipient = {
  userId: z.uuid(),
  email: z.email(),
  displayName: z.string().min(1).max(64),
};

export const outboxEventSchemas = {
  'mail.verify-email': z.strictObject({ ...recipient, token: z.string().min(43).max(128).nullable() }),
  'mail.password-reset': z.strictObject({ ...recipient, token: z.string().min(43).max(128).nullable() }),
  'mail.password-changed': z.strictObject({ ...recipient }),
  'mail.welcome': z.strictObject({ ...recipient }),
} as const;

export type OutboxEventType = keyof typeof outboxEventSchemas;
export const OUTBOX_EVENT_TYPES = Object.keys(outboxEventSchemas) as OutboxEventType[];
export type OutboxPayload<T extends OutboxEventType> = z.infer<(typeof outboxEventSchemas)[T]>;

export type OutboxMessage = {
  [T in OutboxEventType]: { type: T; payload: OutboxPayload<T> };
}[OutboxEventType];

/** PostgreSQL channel the relay LISTENs on; a trigger notifies it on every insert. */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_events';

/** BullMQ job data: the event id only (see above). */
export const mailJobDataSchema = z.strictObject({ eventId: z.uuid() });
export type MailJobData = z.infer<typeof mailJobDataSchema>;

export function parseOutboxMessage(type: string, payload: unknown): OutboxMessage {
  const schema = outboxEventSchemas[type as OutboxEventType];
  if (!schema) throw new Error(`unknown outbox event type: ${type}`);
  return { type, payload: schema.parse(payload) } as OutboxMessage;
}

/**
 * Adds an outbox row to the unit of work of `em`: call it inside the transaction that makes
 * the change, so the event commits (or rolls back) with it.
 */
export function addOutboxEvent(em: EntityManager, message: OutboxMessage, requestId?: string) {
  const payload = outboxEventSchemas[message.type].parse(message.payload);
  return em.create(OutboxEvent, { type: message.type, payload, requestId: requestId ?? null });
}
