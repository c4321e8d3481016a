import { setTimeout as sleep } from 'node:timers/promises';
import {
  addOutboxEvent,
  EmailToken,
  type EmailTokenPurpose,
  type EntityManager,
  type IUser,
  Session,
  User,
} from '@inkwell/db';
import { LockMode, type ScalarReference, sql } from '@mikro-orm/core';
import { TRPCError } from '@trpc/server';
import { ZodRealError, z } from 'zod';
import type { Context, Viewer } from '../../context.js';
import { AppError } from '../../errors.js';
import { cursorTimestamp, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor } from '../../lists.js';
import { consumeRateLimit, refundRateLimit, resetRateLimit } from '../../middleware/rate-limit.js';
import { isoMicros, isoMillis, queryRows, type SqlValue } from '../../sql.js';
import type {
  ChangePasswordInput,
  LoginInput,
  MeDto,
  RegisterInput,
  ResetPasswordInput,
  SessionDto,
  SessionsInput,
  TokensDto,
} from './auth.schema.js';
import { dummyPasswordHash, hashPassword, passwordNeedsRehash, verifyPassword } from './passwords.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';
import {
  createSession,
  type IssuedTokens,
  revokeFamilyOfSession,
  revokeSessionFamily,
  revokeUserSessions,
} from './sessions.service.js';
import { generateOpaqueToken, hashOpaqueToken } from './tokens.js';

/** What a procedure hands a service function: the request context plus its own EntityManager. */
export type AuthCtx = Context & { em: EntityManager };
export type AuthedCtx = AuthCtx & { viewer: Viewer };

type UserRow = Pick<
  IUser,
  'id' | 'email' | 'username' | 'displayName' | 'bio' | 'role' | 'emailVerifiedAt' | 'createdAt'
>;

export function toMeDto(user: UserRow): MeDto {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
    createdAt: user.createdAt.toISOString(),
  };
}

/** `cookieOnly`: the refresh token travels only in the httpOnly cookie, never in the body. */
function toTokensDto(issued: IssuedTokens, cookieOnly: boolean | undefined): TokensDto {
  return {
    tokenType: 'Bearer',
    accessToken: issued.accessToken.token,
    accessTokenExpiresAt: issued.accessToken.expiresAt.toISOString(),
    refreshToken: cookieOnly ? null : issued.refreshToken,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt.toISOString(),
  };
}

/** A CONFLICT/BAD_REQUEST that carries a field issue in the one error shape. */
function fieldError(code: 'CONFLICT' | 'BAD_REQUEST', field: string, message: string): TRPCError {
  // ZodRealError is the Error subclass tRPC keeps as `cause` (plain ZodError is not an Error in zod 4).
  const cause = new ZodRealError([{ code: 'custom', path: [field], message, input: undefined }]);
  return new TRPCError({ code, message, cause });
}

const invalidCredentials = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password' });
const invalidEmailToken = () =>
  new AppError({ code: 'BAD_REQUEST', message: 'This link is invalid or has expired', reason: 'INVALID_TOKEN' });
const sessionEnded = () =>
  new AppError({ code: 'UNAUTHORIZED', message: 'Session ended, sign in again', reason: 'SESSION_ENDED' });

const clientOf = (ctx: AuthCtx) => ({ userAgent: ctx.userAgent, ip: ctx.ip });
const ipOf = (ctx: AuthCtx) => ctx.ip ?? 'unknown';

function findUserByEmail(em: EntityManager, email: string, withPasswordHash = false) {
  // lower(email) is what the unique index covers; emails are stored lower-cased anyway.
  return em.findOne(User, { [sql.lower('email')]: email }, withPasswordHash ? { populate: ['passwordHash'] } : {});
}

/** `users.password_hash` is a lazy column; its declared type admits a reference wrapper. */
function storedPasswordHash(value: string | ScalarReference<string> | undefined): string | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? value : (value.unwrap() ?? null);
}

/** The unique constraint a PostgreSQL unique violation names, if `error` is one. */
function violatedUniqueConstraint(error: unknown): string | null {
  if (!(error instanceof Error) || !('code' in error) || error.code !== '23505') return null;
  return 'constraint' in error && typeof error.constraint === 'string' ? error.constraint : null;
}

/**
 * Issues a fresh email token (retiring the user's unused ones of that purpose) and queues its
 * mail as an outbox event in the same transaction; the raw token exists only in that payload.
 */
async function mailEmailToken(
  tx: EntityManager,
  ctx: AuthCtx,
  user: { id: string; email: string; displayName: string },
  purpose: EmailTokenPurpose,
): Promise<void> {
  const { auth } = ctx.deps.config;
  const ttlSeconds = purpose === 'verify-email' ? auth.verifyEmailTokenTtlSeconds : auth.resetPasswordTokenTtlSeconds;
  await tx.nativeUpdate(EmailToken, { user: user.id, purpose, usedAt: null }, { usedAt: new Date() });
  const token = generateOpaqueToken();
  tx.create(EmailToken, {
    user: tx.getReference(User, user.id),
    purpose,
    tokenHash: hashOpaqueToken(token),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  });
  addOutboxEvent(
    tx,
    {
      type: purpose === 'verify-email' ? 'mail.verify-email' : 'mail.password-reset',
      payload: { userId: user.id, email: user.email, displayName: user.displayName, token },
    },
    ctx.requestId,
  );
}

/** Marks an unused, unexpired token of this purpose used, atomically; returns its user or null. */
async function consumeEmailToken(tx: EntityManager, token: string, purpose: EmailTokenPurpose): Promise<string | null> {
  const row = await tx.execute<{ user_id?: string }>(
    `update email_tokens set used_at = now()
     where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
     returning user_id`,
    [hashOpaqueToken(token), purpose],
    'get',
  );
  return row?.user_id ?? null;
}

/** Answers no earlier than `uniformResponseMs` after `startedAt`, so known and unknown addresses look alike. */
async function uniformDelay(ctx: AuthCtx, startedAt: number): Promise<void> {
  const remaining = ctx.deps.config.auth.uniformResponseMs - (performance.now() - startedAt);
  if (remaining > 0) await sleep(remaining);
}

const ACCEPTED_REGISTRATION = {
  accepted: true,
  message: 'Check your inbox: we sent a link to verify your email address.',
} as const;

/**
 * Creates an unverified account and mails a verification link. A taken email gets the same
 * answer, nothing is sent, and the answer takes as long (the password is hashed either way and
 * both answers wait for the uniform floor, which covers the extra inserts of a real sign-up).
 */
export async function register(ctx: AuthCtx, input: RegisterInput) {
  const startedAt = performance.now();
  const { auth } = ctx.deps.config;
  await consumeRateLimit(ctx, 'registerIp', ipOf(ctx));
  await consumeRateLimit(ctx, 'registerAddress', input.email);
  const passwordHash = await hashPassword(auth.argon2, input.password);

  const taken = await ctx.em.execute<{ email_taken: boolean; username_taken: boolean }[]>(
    `select lower(email) = ? as email_taken, lower(username) = lower(?) as username_taken
     from users where lower(email) = ? or lower(username) = lower(?)`,
    [input.email, input.username, input.email, input.username],
  );
  if (taken.some((row) => row.username_taken)) {
    throw fieldError('CONFLICT', 'username', 'This username is taken');
  }
  if (!taken.some((row) => row.email_taken)) {
    try {
      await createAccount(ctx, input, passwordHash);
    } catch (error) {
      // A concurrent registration won the race for the same email or username.
      const constraint = violatedUniqueConstraint(error);
      if (constraint === 'users_username_lower_unique') {
        throw fieldError('CONFLICT', 'username', 'This username is taken');
      }
      if (constraint !== 'users_email_lower_unique') throw error;
    }
  }
  await uniformDelay(ctx, startedAt);
  return ACCEPTED_REGISTRATION;
}

async function createAccount(ctx: AuthCtx, input: RegisterInput, passwordHash: string): Promise<void> {
  await ctx.em.transactional(async (tx) => {
    const user = tx.create(User, {
      email: input.email,
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      emailVerifiedAt: null,
      disabledAt: null,
    });
    await tx.flush();
    await mailEmailToken(tx, ctx, user, 'verify-email');
  });
}

export async function verifyEmail(ctx: AuthCtx, input: { token: string }) {
  await ctx.em.transactional(async (tx) => {
    const userId = await consumeEmailToken(tx, input.token, 'verify-email');
    if (!userId) throw invalidEmailToken();
    const user = await tx.findOneOrFail(User, { id: userId });
    if (user.emailVerifiedAt) return;
    user.emailVerifiedAt = new Date();
    addOutboxEvent(
      tx,
      { type: 'mail.welcome', payload: { userId: user.id, email: user.email, displayName: user.displayName } },
      ctx.requestId,
    );
  });
  return { ok: true as const };
}

const ACCEPTED_RESEND = {
  accepted: true,
  message: 'If that address has an unverified account, a new verification link is on its way.',
} as const;

export async function resendVerification(ctx: AuthCtx, input: { email: string }) {
  const startedAt = performance.now();
  await consumeRateLimit(ctx, 'resendVerificationIp', ipOf(ctx));
  await consumeRateLimit(ctx, 'resendVerificationAddress', input.email);
  await ctx.em.transactional(async (tx) => {
    const user = await findUserByEmail(tx, input.email);
    if (!user || user.emailVerifiedAt || user.disabledAt) return;
    await mailEmailToken(tx, ctx, user, 'verify-email');
  });
  await uniformDelay(ctx, startedAt);
  return ACCEPTED_RESEND;
}

/**
 * Failed attempts count per account and per IP; an unknown email is verified against a dummy
 * hash so it costs the same as a wrong password. Account state (unverified, disabled) is only
 * revealed to someone who knows the password.
 */
export async function login(ctx: AuthCtx, input: LoginInput) {
  const { auth } = ctx.deps.config;
  // Points are taken (atomically in Redis) before the password is checked, so a burst of
  // concurrent attempts cannot all pass the limit before any failure is counted; a correct
  // password gives them back.
  await consumeRateLimit(ctx, 'loginIp', ipOf(ctx));
  try {
    await consumeRateLimit(ctx, 'loginAccount', input.email);
  } catch (error) {
    // Refused before any check: not a failure of this IP.
    await refundRateLimit(ctx, 'loginIp', ipOf(ctx));
    throw error;
  }

  const user = await findUserByEmail(ctx.em, input.email, true);
  const hash = storedPasswordHash(user?.passwordHash) ?? (await dummyPasswordHash(auth.argon2));
  const passwordOk = await verifyPassword(hash, input.password);
  if (!user || !passwordOk) throw invalidCredentials();
  await refundRateLimit(ctx, 'loginIp', ipOf(ctx));
  await resetRateLimit(ctx, 'loginAccount', input.email);
  if (user.disabledAt) {
    throw new AppError({ code: 'FORBIDDEN', message: 'This account is disabled', reason: 'ACCOUNT_DISABLED' });
  }
  if (!user.emailVerifiedAt) {
    throw new AppError({
      code: 'FORBIDDEN',
      message: 'Verify your email address first; you can ask for a new link',
      reason: 'EMAIL_NOT_VERIFIED',
    });
  }

  const rehashed = passwordNeedsRehash(auth.argon2, hash) ? await hashPassword(auth.argon2, input.password) : null;
  const issued = await ctx.em.transactional(async (tx) => {
    if (rehashed) await tx.nativeUpdate(User, { id: user.id }, { passwordHash: rehashed });
    return createSession(tx, auth, user.id, clientOf(ctx));
  });
  setRefreshCookie(auth, ctx.res, issued.refreshToken, issued.refreshTokenExpiresAt);
  return { ...toTokensDto(issued, input.cookieOnly), user: toMeDto(user) };
}

type RefreshOutcome = { kind: 'ok'; issued: IssuedTokens } | { kind: 'refused' };

/**
 * Rotates the presented refresh token (body or cookie) within its family; the family's absolute
 * end never moves. A rotated token presented again within the grace window (two parallel
 * refreshes of one client) gets a fresh sibling in the same family; later, it is treated as
 * stolen and the whole family is revoked.
 */
export async function refresh(
  ctx: AuthCtx,
  input: { refreshToken?: string | undefined; cookieOnly?: boolean | undefined } | undefined,
) {
  const { auth } = ctx.deps.config;
  const presented = input?.refreshToken ?? readRefreshCookie(ctx.req);
  if (!presented) throw sessionEnded();

  const outcome = await ctx.em.transactional(async (tx): Promise<RefreshOutcome> => {
    const now = new Date();
    const session = await tx.findOne(
      Session,
      { tokenHash: hashOpaqueToken(presented) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!session || session.revokedAt || session.expiresAt <= now) return { kind: 'refused' };
    const user = await tx.findOne(User, { id: session.user.id });
    if (!user || user.disabledAt) {
      await revokeSessionFamily(tx, session.familyId, 'account-disabled');
      return { kind: 'refused' };
    }
    const family = { familyId: session.familyId, expiresAt: session.expiresAt };
    if (session.rotatedAt) {
      if (now.getTime() - session.rotatedAt.getTime() <= auth.refreshReuseGraceSeconds * 1000) {
        return { kind: 'ok', issued: await createSession(tx, auth, user.id, clientOf(ctx), family) };
      }
      await revokeSessionFamily(tx, session.familyId, 'refresh-reuse');
      ctx.log.warn({ familyId: session.familyId, userId: user.id }, 'refresh token reuse: session family revoked');
      return { kind: 'refused' };
    }
    const issued = await createSession(tx, auth, user.id, clientOf(ctx), family);
    session.rotatedAt = now;
    session.replacedBy = issued.sessionId;
    session.lastUsedAt = now;
    return { kind: 'ok', issued };
  });

  if (outcome.kind === 'refused') {
    clearRefreshCookie(auth, ctx.res);
    throw sessionEnded();
  }
  setRefreshCookie(auth, ctx.res, outcome.issued.refreshToken, outcome.issued.refreshTokenExpiresAt);
  return toTokensDto(outcome.issued, input?.cookieOnly);
}

export async function logout(ctx: AuthedCtx) {
  await revokeFamilyOfSession(ctx.em, ctx.viewer.sessionId, 'logout');
  clearRefreshCookie(ctx.deps.config.auth, ctx.res);
  return { ok: true as const };
}

export async function logoutAll(ctx: AuthedCtx) {
  await revokeUserSessions(ctx.em, ctx.viewer.userId, 'logout-all');
  clearRefreshCookie(ctx.deps.config.auth, ctx.res);
  return { ok: true as const };
}

const ACCEPTED_RESET = {
  accepted: true,
  message: 'If that address has an account, a link to reset the password is on its way.',
} as const;

export async function requestPasswordReset(ctx: AuthCtx, input: { email: string }) {
  const startedAt = performance.now();
  await consumeRateLimit(ctx, 'passwordResetIp', ipOf(ctx));
  await consumeRateLimit(ctx, 'passwordResetAddress', input.email);
  await ctx.em.transactional(async (tx) => {
    const user = await findUserByEmail(tx, input.email);
    if (!user || user.disabledAt) return;
    await mailEmailToken(tx, ctx, user, 'reset-password');
  });
  await uniformDelay(ctx, startedAt);
  return ACCEPTED_RESET;
}

/** Sets a new password from a reset link, ends every session, and does not sign in. */
export async function resetPassword(ctx: AuthCtx, input: ResetPasswordInput) {
  const { auth } = ctx.deps.config;
  // Cheap pre-check so a bad token costs no hashing; the token is consumed atomically below.
  const candidate = await ctx.em.count(EmailToken, {
    tokenHash: hashOpaqueToken(input.token),
    purpose: 'reset-password',
    usedAt: null,
    expiresAt: { $gt: new Date() },
  });
  if (candidate === 0) throw invalidEmailToken();
  const passwordHash = await hashPassword(auth.argon2, input.newPassword);

  await ctx.em.transactional(async (tx) => {
    const userId = await consumeEmailToken(tx, input.token, 'reset-password');
    if (!userId) throw invalidEmailToken();
    const user = await tx.findOneOrFail(User, { id: userId });
    await tx.nativeUpdate(User, { id: userId }, { passwordHash });
    await tx.nativeUpdate(
      EmailToken,
      { user: userId, purpose: 'reset-password', usedAt: null },
      { usedAt: new Date() },
    );
    await revokeUserSessions(tx, userId, 'password-reset');
    addOutboxEvent(
      tx,
      { type: 'mail.password-changed', payload: { userId, email: user.email, displayName: user.displayName } },
      ctx.requestId,
    );
  });
  return { ok: true as const };
}

/** Needs the current password; keeps the caller's own sign-in and ends every other one. */
export async function changePassword(ctx: AuthedCtx, input: ChangePasswordInput) {
  const { auth } = ctx.deps.config;
  const user = await ctx.em.findOne(User, { id: ctx.viewer.userId }, { populate: ['passwordHash'] });
  if (!user) throw sessionEnded();
  // Taken before the check, given back on success: see login.
  await consumeRateLimit(ctx, 'loginAccount', user.email);
  const currentHash = storedPasswordHash(user.passwordHash);
  if (!currentHash || !(await verifyPassword(currentHash, input.currentPassword))) {
    throw fieldError('BAD_REQUEST', 'currentPassword', 'The current password is wrong');
  }
  await resetRateLimit(ctx, 'loginAccount', user.email);
  const passwordHash = await hashPassword(auth.argon2, input.newPassword);
  await ctx.em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: user.id }, { passwordHash });
    await revokeUserSessions(tx, user.id, 'password-change', { exceptSessionId: ctx.viewer.sessionId });
    addOutboxEvent(
      tx,
      { type: 'mail.password-changed', payload: { userId: user.id, email: user.email, displayName: user.displayName } },
      ctx.requestId,
    );
  });
  return { ok: true as const };
}

export async function me(ctx: AuthedCtx): Promise<MeDto> {
  const user = await ctx.em.findOne(User, { id: ctx.viewer.userId });
  if (!user) throw sessionEnded();
  return toMeDto(user);
}

const sessionCursor = z.strictObject({ createdAt: cursorTimestamp, id: z.uuid() });

interface SessionRow {
  id: string;
  family_id: string;
  user_agent: string | null;
  ip: string | null;
  last_used_at: string;
  expires_at: string;
  cursor_at: string;
}

/**
 * The viewer's live sign-ins, newest first: one row per refresh token family (two parallel
 * refreshes inside the grace window leave two live rows of one family), chosen in SQL before
 * paginating, so a family never shows up on two pages.
 */
export async function sessions(ctx: AuthedCtx, input: SessionsInput) {
  const limit = input?.limit ?? DEFAULT_PAGE_SIZE;
  const current = await ctx.em.findOne(Session, { id: ctx.viewer.sessionId }, { fields: ['familyId'] });
  const cursor = decodeCursor(sessionCursor, input?.cursor);
  const params: SqlValue[] = [ctx.viewer.userId];
  let keyset = '';
  if (cursor) {
    keyset = 'where (created_at, id) < (?::timestamptz, ?::uuid)';
    params.push(cursor.createdAt, cursor.id);
  }
  params.push(limit + 1);
  const rows = await queryRows<SessionRow>(
    ctx.em,
    `select id, family_id, user_agent, ip, ${isoMillis('coalesce(last_used_at, created_at)')} as last_used_at,
            ${isoMillis('expires_at')} as expires_at, ${isoMicros('created_at')} as cursor_at
     from (select distinct on (family_id) *
           from sessions
           where user_id = ? and revoked_at is null and rotated_at is null and expires_at > now()
           order by family_id, created_at desc, id desc) live
     ${keyset}
     order by created_at desc, id desc
     limit ?`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(
      (row): SessionDto => ({
        id: row.family_id,
        current: row.family_id === current?.familyId,
        userAgent: row.user_agent,
        ip: row.ip,
        lastUsedAt: row.last_used_at,
        expiresAt: row.expires_at,
      }),
    ),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
  };
}

/** Ends one of the viewer's own sign-ins; another user's session id is NOT_FOUND (no IDOR). */
export async function revokeSession(ctx: AuthedCtx, input: { id: string }) {
  const current = await ctx.em.findOne(Session, { id: ctx.viewer.sessionId }, { fields: ['familyId'] });
  const revoked = await revokeSessionFamily(ctx.em, input.id, 'revoked-by-user', ctx.viewer.userId);
  if (revoked === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session' });
  if (current?.familyId === input.id) clearRefreshCookie(ctx.deps.config.auth, ctx.res);
  return { ok: true as const };
}
