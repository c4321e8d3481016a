import pg from 'pg';
import { uuidv7 } from 'uuidv7';

export interface WelcomePayload {
  userId: string | undefined;
  email: string;
  displayName: string;
}

/**
 * Commits one mail.welcome outbox event per payload in a single insert, as a burst of sign-ups
 * would; returns `performance.now()` from just before the insert (the mail scenarios' clock start).
 */
export async function insertWelcomeEvents(databaseUrl: string, payloads: readonly WelcomePayload[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    await client.query(
      `insert into outbox_events (id, type, payload, created_at, attempts)
       select id, 'mail.welcome', payload, now(), 0 from unnest($1::uuid[], $2::jsonb[]) as t(id, payload)`,
      [payloads.map(() => uuidv7()), payloads.map((payload) => JSON.stringify(payload))],
    );
    return started;
  } finally {
    await client.end();
  }
}
