import { randomBytes, randomUUID } from 'node:crypto';
import { addOutboxEvent, type MikroORM, type OutboxMessage } from '@inkwell/db';

/** A raw email token as the api makes them (32 random bytes, base64url: 43 characters). */
export function rawToken(): string {
  return randomBytes(32).toString('base64url');
}

export function verifyEmailMessage(index: number, token = rawToken()): OutboxMessage {
  return {
    type: 'mail.verify-email',
    payload: { userId: randomUUID(), email: `reader${index}@example.test`, displayName: `Reader ${index}`, token },
  };
}

/** Commits outbox events the way the api does: in one transaction (one NOTIFY per statement). */
export async function insertOutboxEvents(orm: MikroORM, messages: OutboxMessage[]): Promise<string[]> {
  return orm.em.fork().transactional(async (em) => {
    const events = messages.map((message) => addOutboxEvent(em, message, `req-${randomUUID()}`));
    await em.flush();
    return events.map((event) => event.id);
  });
}
