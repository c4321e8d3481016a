import type { EntityManager, UserRole } from '@inkwell/db';
import { z } from 'zod';
import { type Actor, notFound } from '../../authorization.js';
import { AppError } from '../../errors.js';
import { cursorTimestamp, decodeCursor, encodeCursor, type Page } from '../../lists.js';
import { isoMicros, isoMillis, queryRows, type SqlValue } from '../../sql.js';
import { revokeUserSessions } from '../auth/sessions.service.js';
import type {
  ListUsersInput,
  ModeratedUser,
  PublicProfile,
  SetDisabledInput,
  SetRoleInput,
  UpdateProfileInput,
} from './users.schema.js';

interface ProfileRow {
  id: string;
  username: string;
  display_name: string;
  bio: string;
  role: UserRole;
  created_at: string;
  cursor_at: string;
}

const PROFILE_COLUMNS = `u.id, u.username, u.display_name, u.bio, u.role, ${isoMillis('u.created_at')} as created_at,
  ${isoMicros('u.created_at')} as cursor_at`;

function toPublicProfile(row: ProfileRow): PublicProfile {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    bio: row.bio,
    role: row.role,
    createdAt: row.created_at,
  };
}

const userCursor = z.strictObject({ at: cursorTimestamp, id: z.uuid() });

/** Public profiles, newest first. */
export async function listUsers(em: EntityManager, input: ListUsersInput): Promise<Page<PublicProfile>> {
  const cursor = decodeCursor(userCursor, input.cursor);
  const params: SqlValue[] = [];
  let keyset = '';
  if (cursor) {
    keyset = 'where (u.created_at, u.id) < (?::timestamptz, ?::uuid)';
    params.push(cursor.at, cursor.id);
  }
  const rows = await queryRows<ProfileRow>(
    em,
    `select ${PROFILE_COLUMNS} from users u ${keyset} order by u.created_at desc, u.id desc limit ?`,
    [...params, input.limit + 1],
  );
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return {
    items: items.map(toPublicProfile),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
  };
}

export async function getUserById(em: EntityManager, id: string): Promise<PublicProfile> {
  const [row] = await queryRows<ProfileRow>(em, `select ${PROFILE_COLUMNS} from users u where u.id = ?`, [id]);
  if (!row) throw notFound('User');
  return toPublicProfile(row);
}

/** Usernames are unique case-insensitively, so the lookup is too (it uses that unique index). */
export async function getUserByUsername(em: EntityManager, username: string): Promise<PublicProfile> {
  const [row] = await queryRows<ProfileRow>(
    em,
    `select ${PROFILE_COLUMNS} from users u where lower(u.username) = lower(?)`,
    [username],
  );
  if (!row) throw notFound('User');
  return toPublicProfile(row);
}

export async function assertUserExists(em: EntityManager, id: string): Promise<void> {
  const rows = await queryRows(em, 'select 1 from users where id = ?', [id]);
  if (rows.length === 0) throw notFound('User');
}

export async function updateProfile(
  em: EntityManager,
  actor: Actor,
  input: UpdateProfileInput,
): Promise<PublicProfile> {
  const [row] = await queryRows<ProfileRow>(
    em,
    `update users u set display_name = coalesce(?, display_name), bio = coalesce(?, bio), updated_at = now()
     where u.id = ? returning ${PROFILE_COLUMNS}`,
    [input.displayName ?? null, input.bio ?? null, actor.userId],
  );
  if (!row) throw notFound('User');
  return toPublicProfile(row);
}

function assertNotSelf(actor: Actor, targetId: string, action: string): void {
  if (actor.userId === targetId) {
    throw new AppError({ code: 'FORBIDDEN', message: `Admins cannot ${action} themselves`, reason: 'SELF_MODERATION' });
  }
}

interface ModerationRow {
  id: string;
  role: UserRole;
  disabled_at: string | null;
}

function toModeratedUser(row: ModerationRow): ModeratedUser {
  return { id: row.id, role: row.role, disabled: row.disabled_at !== null };
}

/** Changes a user's role and ends their sessions, so the new role applies from their next sign-in. */
export async function setRole(em: EntityManager, actor: Actor, input: SetRoleInput): Promise<ModeratedUser> {
  // Promoting oneself is moot; demoting oneself could leave no admin at all.
  assertNotSelf(actor, input.id, 'change the role of');
  return em.transactional(async (tx) => {
    const [row] = await queryRows<ModerationRow>(
      tx,
      'update users set role = ?, updated_at = now() where id = ? returning id, role, disabled_at',
      [input.role, input.id],
    );
    if (!row) throw notFound('User');
    await revokeUserSessions(tx, input.id, 'role-change');
    return toModeratedUser(row);
  });
}

/** Disables (ending every session at once) or re-enables a user. */
export async function setDisabled(em: EntityManager, actor: Actor, input: SetDisabledInput): Promise<ModeratedUser> {
  assertNotSelf(actor, input.id, 'disable');
  return em.transactional(async (tx) => {
    const [row] = await queryRows<ModerationRow>(
      tx,
      `update users set disabled_at = ${input.disabled ? 'coalesce(disabled_at, now())' : 'null'}, updated_at = now()
       where id = ? returning id, role, disabled_at`,
      [input.id],
    );
    if (!row) throw notFound('User');
    if (input.disabled) await revokeUserSessions(tx, input.id, 'account-disabled');
    return toModeratedUser(row);
  });
}
