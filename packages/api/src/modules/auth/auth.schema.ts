import { z } from 'zod';
import { pageInputShape } from '../../lists.js';
import { isCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

/** Trimmed and lower-cased before validation; stored and compared in that form. */
export const emailInput = z
  .string()
  .max(320)
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.email({ error: 'Enter a valid email address' }).max(254));

/** Letters, digits and "_", 3 to 32 characters; unique regardless of case. */
export const USERNAME_PATTERN = /^[a-zA-Z0-9_]{3,32}$/;
export const usernameInput = z.string().max(32).regex(USERNAME_PATTERN, 'Use 3 to 32 letters, digits or "_"');

export const displayNameInput = z.string().trim().min(1).max(64);

/** A new password: 12..256 characters exactly as typed, not among the 10,000 most common ones. */
export const newPasswordInput = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((value) => !isCommonPassword(value), 'This password is too common; choose another one');

/** An existing password: only bounded, never judged (old accounts may predate today's rules). */
const currentPasswordInput = z.string().min(1).max(PASSWORD_MAX_LENGTH);

/** 32 random bytes, base64url: 43 characters. */
const opaqueTokenInput = z
  .string()
  .min(43)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/);

export const registerInput = z.strictObject({
  email: emailInput,
  username: usernameInput,
  displayName: displayNameInput,
  password: newPasswordInput,
});
export const verifyEmailInput = z.strictObject({ token: opaqueTokenInput });
export const emailOnlyInput = z.strictObject({ email: emailInput });
/** Browsers ask for it so scripts in the page never see the refresh token (docs/auth.md). */
const cookieOnlyInput = z
  .boolean()
  .describe('true: the refresh token is only set as the httpOnly cookie and the answer carries `refreshToken: null`.')
  .optional();
export const loginInput = z.strictObject({
  email: emailInput,
  password: currentPasswordInput,
  cookieOnly: cookieOnlyInput,
});
/** The refresh token comes in the body or in the httpOnly cookie. */
export const refreshInput = z
  .strictObject({
    refreshToken: opaqueTokenInput.describe('Omit it to use the httpOnly refresh cookie.').optional(),
    cookieOnly: cookieOnlyInput,
  })
  .optional();
export const resetPasswordInput = z.strictObject({ token: opaqueTokenInput, newPassword: newPasswordInput });
export const changePasswordInput = z.strictObject({
  currentPassword: currentPasswordInput,
  newPassword: newPasswordInput,
});
export const sessionsInput = z.strictObject({ ...pageInputShape }).optional();
export const revokeSessionInput = z.strictObject({ id: z.uuid() });
export const noInput = z.strictObject({}).optional();

export type RegisterInput = z.infer<typeof registerInput>;
export type LoginInput = z.infer<typeof loginInput>;
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
export type SessionsInput = z.infer<typeof sessionsInput>;

const isoDate = z.iso.datetime();

/** The signed-in user's own account (the only place the email is shown). */
export const meOutput = z.object({
  id: z.uuid(),
  email: z.string(),
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  role: z.enum(['user', 'admin']),
  emailVerified: z.boolean(),
  createdAt: isoDate,
});
export type MeDto = z.infer<typeof meOutput>;

/** The tokens a sign-in or refresh hands out (the refresh token also goes into the cookie). */
export const tokensOutput = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  accessTokenExpiresAt: isoDate,
  refreshToken: z.string().nullable().describe('Null when the call asked for `cookieOnly`.'),
  refreshTokenExpiresAt: isoDate,
});
export const loginOutput = tokensOutput.extend({ user: meOutput });
export type TokensDto = z.infer<typeof tokensOutput>;

/** Same answer whatever the account's state (no enumeration). */
export const acceptedOutput = z.object({ accepted: z.literal(true), message: z.string() });
export const okOutput = z.object({ ok: z.literal(true) });

export const sessionOutput = z.object({
  /** Stable id of the sign-in (refresh token family), used by revokeSession. */
  id: z.uuid(),
  current: z.boolean(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  lastUsedAt: isoDate,
  expiresAt: isoDate,
});
export const sessionsOutput = z.object({ items: z.array(sessionOutput), nextCursor: z.string().nullable() });
export type SessionDto = z.infer<typeof sessionOutput>;
