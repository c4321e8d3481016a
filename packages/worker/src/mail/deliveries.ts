import type { EntityManager } from '@inkwell/db';

/**
 * Delivery records (`mail_deliveries`, one per outbox event) make sending idempotent: a job
 * claims the event's row before talking SMTP and marks it sent after. Atomic SQL, so two
 * attempts racing for one event cannot both win.
 */
export type DeliveryClaim =
  /** First attempt for this event: send. */
  | { kind: 'claimed' }
  /** A claim older than the stale timeout (its attempt crashed mid-send): send again, maybe twice. */
  | { kind: 'reclaimed' }
  /** Sent before: nothing to do. */
  | { kind: 'already-sent' }
  /** Another attempt claimed it recently and may still be sending: look again when it goes stale. */
  | { kind: 'in-progress'; staleInMs: number };

export async function claimDelivery(
  em: EntityManager,
  eventId: string,
  recipient: string,
  staleAfterMs: number,
): Promise<DeliveryClaim> {
  const inserted = await em.execute<{ event_id: string }[]>(
    `insert into mail_deliveries (event_id, state, recipient, claimed_at, created_at)
     values (?, 'sending', ?, clock_timestamp(), clock_timestamp())
     on conflict (event_id) do nothing
     returning event_id`,
    [eventId, recipient],
  );
  if (inserted.length) return { kind: 'claimed' };
  const reclaimed = await em.execute<{ event_id: string }[]>(
    `update mail_deliveries set claimed_at = clock_timestamp()
     where event_id = ? and state = 'sending' and claimed_at < clock_timestamp() - (?::int * interval '1 millisecond')
     returning event_id`,
    [eventId, staleAfterMs],
  );
  if (reclaimed.length) return { kind: 'reclaimed' };
  const [row] = await em.execute<{ state: string; stale_in_ms: number }[]>(
    `select state,
            greatest(0, extract(epoch from claimed_at - clock_timestamp()) * 1000 + ?)::float8 as stale_in_ms
     from mail_deliveries where event_id = ?`,
    [staleAfterMs, eventId],
  );
  if (row?.state === 'sent') return { kind: 'already-sent' };
  // Gone in between (its attempt failed and released it): the retry will claim it afresh.
  return { kind: 'in-progress', staleInMs: row ? Math.ceil(row.stale_in_ms) : 0 };
}

/** Marks the delivery sent and blanks the raw token in the event's payload, in one transaction. */
export async function markDeliverySent(em: EntityManager, eventId: string, messageId: string): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.execute(
      `update mail_deliveries set state = 'sent', message_id = ?, sent_at = clock_timestamp() where event_id = ?`,
      [messageId.slice(0, 255), eventId],
    );
    // The token was only needed to render this mail; it must not outlive it in the database.
    await tx.execute(
      `update outbox_events set payload = jsonb_set(payload, '{token}', 'null'::jsonb)
       where id = ? and payload->>'token' is not null`,
      [eventId],
    );
  });
}

/** Gives up a claim whose send failed (the SMTP server refused it), so the retry can claim again. */
export async function releaseDelivery(em: EntityManager, eventId: string): Promise<void> {
  await em.execute(`delete from mail_deliveries where event_id = ? and state = 'sending'`, [eventId]);
}
