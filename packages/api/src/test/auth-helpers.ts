import { randomBytes } from 'node:crypto';
import { OutboxEvent, type OutboxEventType, User } from '@inkwell/db';
import { z } from 'zod';
import { hashPassword } from '../modules/auth/passwords.js';
import { createSession } from '../modules/auth/sessions.service.js';
import type { TestApi } from './harness.js';

export interface SignedInUser {
  userId: string;
  email: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  authHeader: { authorization: string };
}

export interface SignedInUserOverrides {
  role?: 'user' | 'admin';
  /** Email verified (default true). */
  verified?: boolean;
  username?: string;
  email?: string;
  password?: string;
}

/**
 * A user inserted directly with the ORM (independent of the register flow), with a real
 * session and real access/refresh tokens from the auth services.
 */
export async function createSignedInUser(api: TestApi, overrides: SignedInUserOverrides = {}): Promise<SignedInUser> {
  const suffix = randomBytes(6).toString('hex');
  const username = overrides.username ?? `user_${suffix}`;
  const email = (overrides.email ?? `${username}@example.com`).trim().toLowerCase();
  const password = overrides.password ?? `test-password-${suffix}`;
  const passwordHash = await hashPassword(api.config.auth.argon2, password);
  const em = api.deps.orm.em.fork();
  const issued = await em.transactional(async (tx) => {
    const user = tx.create(User, {
      email,
      username,
      displayName: username,
      passwordHash,
      role: overrides.role ?? 'user',
      emailVerifiedAt: overrides.verified === false ? null : new Date(),
      disabledAt: null,
    });
    await tx.flush();
    const tokens = await createSession(tx, api.config.auth, user.id, { userAgent: 'test-helper', ip: '127.0.0.1' });
    return { userId: user.id, tokens };
  });
  return {
    userId: issued.userId,
    email,
    username,
    password,
    accessToken: issued.tokens.accessToken.token,
    refreshToken: issued.tokens.refreshToken,
    authHeader: { authorization: `Bearer ${issued.tokens.accessToken.token}` },
  };
}

export interface TrpcResponse {
  status: number;
  headers: Headers;
  /** `result.data` on success. */
  data: unknown;
  /** `error` (with `data` in the one error shape of src/errors.ts) on failure. */
  error: { message: string; code: number; data: Record<string, unknown> } | null;
}

/**
 * Calls one tRPC procedure over real HTTP with fetch (no transformer: inputs and outputs are
 * plain JSON). Queries go as GET with `?input=`, mutations as POST.
 */
export async function callTrpc(
  api: TestApi,
  path: string,
  options: { input?: unknown; type?: 'query' | 'mutation'; headers?: Record<string, string> } = {},
): Promise<TrpcResponse> {
  const type = options.type ?? 'mutation';
  const url = new URL(`${api.url}/trpc/${path}`);
  const init: RequestInit = { method: type === 'query' ? 'GET' : 'POST', headers: { ...options.headers } };
  if (type === 'query') {
    if (options.input !== undefined) url.searchParams.set('input', JSON.stringify(options.input));
  } else {
    init.headers = { 'content-type': 'application/json', ...options.headers };
    if (options.input !== undefined) init.body = JSON.stringify(options.input);
  }
  const res = await fetch(url, init);
  const body = (await res.json()) as { result?: { data?: unknown }; error?: TrpcResponse['error'] };
  return { status: res.status, headers: res.headers, data: body.result?.data, error: body.error ?? null };
}

const loginOutput = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  user: z.object({ id: z.string(), email: z.string(), username: z.string() }),
});

/** Signs in through the real `auth.login` procedure. */
export async function signInAs(api: TestApi, email: string, password: string): Promise<SignedInUser> {
  const res = await callTrpc(api, 'auth.login', { input: { email, password } });
  if (res.status !== 200) throw new Error(`login failed with ${res.status}: ${JSON.stringify(res.error)}`);
  const data = loginOutput.parse(res.data);
  return {
    userId: data.user.id,
    email: data.user.email,
    username: data.user.username,
    password,
    accessToken: data.accessToken,
    refreshToken: data.refreshToken,
    authHeader: { authorization: `Bearer ${data.accessToken}` },
  };
}

/** Outbox rows of one type addressed to `email`, oldest first (tests read mailed tokens here). */
export async function outboxEventsFor(
  api: TestApi,
  type: OutboxEventType,
  email: string,
): Promise<{ id: string; payload: Record<string, unknown>; requestId: string | null }[]> {
  const rows = await api.deps.orm.em
    .fork()
    .find(OutboxEvent, { type, payload: { email } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return rows.map((row) => ({ id: row.id, payload: row.payload, requestId: row.requestId ?? null }));
}

/** The raw token of the latest mail of `type` to `email` (throws if none was written). */
export async function latestMailedToken(
  api: TestApi,
  type: 'mail.verify-email' | 'mail.password-reset',
  email: string,
): Promise<string> {
  const token = (await outboxEventsFor(api, type, email)).at(-1)?.payload.token;
  if (typeof token !== 'string') throw new Error(`no ${type} mail with a token for ${email}`);
  return token;
}
