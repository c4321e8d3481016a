import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, timestamp, uuidPrimaryKey } from './columns.js';

/**
 * A side effect (today: a mail) committed in the same transaction as the change that caused
 * it. The worker relays undispatched rows into BullMQ; `payload` is validated by the outbox
 * contract (`outbox/events.ts`).
 */
export const OutboxEvent = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_events',
  properties: {
    id: uuidPrimaryKey(),
    type: p.string().length(64),
    payload: p.json<Record<string, unknown>>().columnType('jsonb'),
    requestId: p.string().length(128).nullable(),
    createdAt: createdAt(),
    dispatchedAt: timestamp().nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
  },
  indexes: [
    {
      name: 'outbox_events_undispatched_index',
      expression:
        'create index "outbox_events_undispatched_index" on "outbox_events" ("created_at") where "dispatched_at" is null',
    },
  ],
});

export type IOutboxEvent = InferEntity<typeof OutboxEvent>;
