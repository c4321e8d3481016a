import type { EntityManager } from '@inkwell/db';

/**
 * Stand-in until the auth module's sessions service lands on main (same name and signature):
 * revokes every live session of the user, so their refresh tokens stop working.
 */
export async function revokeUserSessions(em: EntityManager, userId: string, reason: string): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    'update sessions set revoked_at = now(), revoked_reason = ? where user_id = ? and revoked_at is null returning id',
    [reason, userId],
  );
  return rows.length;
}
