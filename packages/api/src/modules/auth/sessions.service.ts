import { type EntityManager, Session, User } from '@inkwell/db';
import { uuidv7 } from 'uuidv7';
import type { Config } from '../../config.js';
import { generateOpaqueToken, hashOpaqueToken, type SignedAccessToken, signAccessToken } from './tokens.js';

type AuthConfig = Config['auth'];

/** Why a session family ended (sessions.revoked_reason, at most 32 characters). */
export type SessionRevokeReason =
  | 'logout'
  | 'logout-all'
  | 'revoked-by-user'
  | 'refresh-reuse'
  | 'password-change'
  | 'password-reset'
  | 'account-disabled'
  | 'role-change'
  | (string & {});

export interface SessionClient {
  userAgent: string | null;
  ip: string | null;
}

export interface IssuedTokens {
  sessionId: string;
  familyId: string;
  accessToken: SignedAccessToken;
  refreshToken: string;
  /** Absolute end of the family. */
  refreshTokenExpiresAt: Date;
}

/**
 * Adds a session row to the unit of work of `em` (flush or commit it) and returns the tokens
 * for it. Without `family`, a new family (a new sign-in) starts with a fresh absolute lifetime.
 */
export async function createSession(
  em: EntityManager,
  config: AuthConfig,
  userId: string,
  client: SessionClient,
  family?: { familyId: string; expiresAt: Date },
): Promise<IssuedTokens> {
  const refreshToken = generateOpaqueToken();
  const now = new Date();
  const familyId = family?.familyId ?? uuidv7();
  const expiresAt = family?.expiresAt ?? new Date(now.getTime() + config.refreshTokenTtlSeconds * 1000);
  const session = em.create(Session, {
    id: uuidv7(),
    user: em.getReference(User, userId),
    familyId,
    tokenHash: hashOpaqueToken(refreshToken),
    expiresAt,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    ip: client.ip?.slice(0, 64) ?? null,
    createdAt: now,
    lastUsedAt: now,
  });
  const accessToken = await signAccessToken(config, { userId, sessionId: session.id });
  return { sessionId: session.id, familyId, accessToken, refreshToken, refreshTokenExpiresAt: expiresAt };
}

/**
 * Ends every live session family of a user at once (the next request with any of their access
 * tokens is refused). `exceptSessionId` keeps the family of that session alive (the caller's
 * own sign-in on a password change). Returns the number of session rows revoked.
 */
export async function revokeUserSessions(
  em: EntityManager,
  userId: string,
  reason: SessionRevokeReason,
  options: { exceptSessionId?: string } = {},
): Promise<number> {
  const params: unknown[] = [new Date(), reason.slice(0, 32), userId];
  let except = '';
  if (options.exceptSessionId) {
    // `is distinct from`: an unknown session id excepts nothing (null never matches a family).
    except = 'and family_id is distinct from (select family_id from sessions where id = ?)';
    params.push(options.exceptSessionId);
  }
  const result = await em.execute<{ affectedRows: number }>(
    `update sessions set revoked_at = ?, revoked_reason = ? where user_id = ? and revoked_at is null ${except}`,
    params,
    'run',
  );
  return result.affectedRows;
}

/** Ends one session family; `userId` scopes it to its owner. Returns the number of rows revoked. */
export async function revokeSessionFamily(
  em: EntityManager,
  familyId: string,
  reason: SessionRevokeReason,
  userId?: string,
): Promise<number> {
  const params: unknown[] = [new Date(), reason.slice(0, 32), familyId];
  if (userId) params.push(userId);
  const scope = userId ? ' and user_id = ?' : '';
  const result = await em.execute<{ affectedRows: number }>(
    `update sessions set revoked_at = ?, revoked_reason = ? where family_id = ? and revoked_at is null${scope}`,
    params,
    'run',
  );
  return result.affectedRows;
}

/** Ends the family the given session row belongs to (logout of the current sign-in). */
export async function revokeFamilyOfSession(
  em: EntityManager,
  sessionId: string,
  reason: SessionRevokeReason,
): Promise<number> {
  const result = await em.execute<{ affectedRows: number }>(
    `update sessions set revoked_at = ?, revoked_reason = ?
     where family_id = (select family_id from sessions where id = ?) and revoked_at is null`,
    [new Date(), reason.slice(0, 32), sessionId],
    'run',
  );
  return result.affectedRows;
}
