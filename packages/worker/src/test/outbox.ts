import { randomBytes, randomUUID } from 'node:crypto';
import { addOutboxEvent, type EntityManager, type MikroORM, type OutboxMessage } from '@inkwell/db';

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

/**
 * Commits outbox events the way the api does: in one transaction (one NOTIFY per statement).
 * Given an EntityManager inside a transaction, adds them to that transaction instead.
 */
export async function insertOutboxEvents(db: MikroORM | EntityManager, messages: OutboxMessage[]): Promise<string[]> {
  const write = async (em: EntityManager) => {
    const events = messages.map((message) => addOutboxEvent(em, message, `req-${randomUUID()}`));
    await em.flush();
    return events.map((event) => event.id);
  };
  return 'em' in db ? db.em.fork().transactional(write) : write(db);
}
