import { TRPCError } from '@trpc/server';
import type { Request } from 'express';
import { z } from 'zod';
import type { Viewer } from '../../context.js';
import type { AppDeps } from '../../deps.js';
import { InvalidAccessTokenError, verifyAccessToken } from './tokens.js';

const sessionViewerRow = z.object({
  user_id: z.string(),
  role: z.enum(['user', 'admin']),
  email_verified: z.boolean(),
});

/**
 * One indexed query (sessions primary key joined to users primary key): the session must be
 * live and the user enabled, so logout, logoutAll, password change/reset and disabling all
 * take effect on the very next request.
 */
const SESSION_VIEWER_SQL = `
  select u.id as user_id, u.role, (u.email_verified_at is not null) as email_verified
  from sessions s join users u on u.id = s.user_id
  where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null`;

function unauthorized(message: string, cause?: unknown): TRPCError {
  return new TRPCError({ code: 'UNAUTHORIZED', message, cause });
}

/**
 * Resolves the viewer from `Authorization: Bearer <access token>`: null without the header;
 * throws UNAUTHORIZED for a malformed, tampered, expired or revoked token (a bad token is never
 * treated as anonymous).
 */
export async function authenticateRequest(deps: AppDeps, req: Request): Promise<Viewer | null> {
  const header = req.get('authorization');
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('Malformed authorization header');

  let subject: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    subject = await verifyAccessToken(deps.config.auth, match[1]);
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) {
      throw unauthorized(error.why === 'expired' ? 'Access token expired' : 'Invalid access token', error);
    }
    throw error;
  }

  const em = deps.orm.em.fork();
  const row = await em.execute(SESSION_VIEWER_SQL, [subject.sessionId, subject.userId], 'get');
  const parsed = sessionViewerRow.safeParse(row);
  if (!parsed.success) throw unauthorized('Session ended, sign in again');
  return {
    userId: parsed.data.user_id,
    sessionId: subject.sessionId,
    role: parsed.data.role,
    emailVerified: parsed.data.email_verified,
  };
}
