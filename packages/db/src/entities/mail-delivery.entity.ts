import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, timestamp } from './columns.js';
import { OutboxEvent } from './outbox-event.entity.js';

export const MAIL_DELIVERY_STATES = ['sending', 'sent'] as const;

/**
 * At most one delivery per outbox event: the worker claims the row before talking SMTP and
 * marks it sent after, so a retried or duplicated job never sends the same mail twice.
 */
export const MailDelivery = defineEntity({
  name: 'MailDelivery',
  tableName: 'mail_deliveries',
  properties: {
    event: () => p.oneToOne(OutboxEvent).primary().owner().deleteRule('cascade'),
    state: p.enum([...MAIL_DELIVERY_STATES]),
    recipient: p.string().length(254),
    messageId: p.string().length(255).nullable(),
    claimedAt: timestamp(),
    sentAt: timestamp().nullable(),
    createdAt: createdAt(),
  },
});

export type IMailDelivery = InferEntity<typeof MailDelivery>;
