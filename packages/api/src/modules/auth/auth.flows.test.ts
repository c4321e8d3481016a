import { randomBytes } from 'node:crypto';
import { User } from '@inkwell/db';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTrpc, createSignedInUser, latestMailedToken, outboxEventsFor, signInAs } from '../../test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

const unique = () => randomBytes(5).toString('hex');

describe('auth: accounts, email tokens and passwords (real HTTP)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { AUTH_UNIFORM_RESPONSE_MS: '50' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  const call = (path: string, input?: unknown, headers?: Record<string, string>) =>
    callTrpc(api, path, { input, headers });
  const storedUser = (email: string) => api.deps.orm.em.fork().findOne(User, { email });
  const storedHash = async (email: string) => {
    const rows = await api.deps.orm.em
      .fork()
      .getConnection()
      .execute<{ password_hash: string }[]>('select password_hash from users where email = ?', [email]);
    return rows[0]?.password_hash;
  };
  const newAccount = (overrides: Record<string, unknown> = {}) => {
    const id = unique();
    return {
      email: `acct_${id}@example.com`,
      username: `acct_${id}`,
      displayName: 'Acct',
      password: `pw-${id}-long!`,
      ...overrides,
    };
  };

  it('register → verify → login: normalized email, argon2id at the floor cost, mails via the outbox', async () => {
    const id = unique();
    const account = newAccount({ email: `  Alice_${id}@Example.COM `, username: `Alice_${id}` });
    const res = await call('auth.register', account);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ accepted: true, message: expect.any(String) });
    expect(JSON.stringify(res.data)).not.toMatch(/token|hash|alice/i);

    const email = `alice_${id}@example.com`;
    const user = await storedUser(email);
    expect(user?.emailVerifiedAt).toBeNull();
    expect(user?.role).toBe('user');
    expect(await storedHash(email)).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);

    const mails = await outboxEventsFor(api, 'mail.verify-email', email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.requestId).toBe(res.headers.get('x-request-id'));
    // No link built from request headers: the worker builds it from PUBLIC_URL.
    expect(Object.keys(mails[0]?.payload ?? {}).sort()).toEqual(['displayName', 'email', 'token', 'userId']);
    const token = mails[0]?.payload.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    const rows = await api.deps.orm.em.fork().getConnection().execute('select token_hash from email_tokens');
    expect(JSON.stringify(rows)).not.toContain(String(token));

    // Refused until verified, with a reason a client can act on.
    const early = await call('auth.login', { email: email.toUpperCase(), password: account.password });
    expect(early.status).toBe(403);
    expect(early.error?.data).toMatchObject({ code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' });

    expect((await call('auth.verifyEmail', { token })).status).toBe(200);
    expect((await storedUser(email))?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await outboxEventsFor(api, 'mail.welcome', email)).toHaveLength(1);
    // Single use.
    const again = await call('auth.verifyEmail', { token });
    expect(again.status).toBe(400);
    expect(again.error?.data).toMatchObject({ reason: 'INVALID_TOKEN' });

    const login = await call('auth.login', { email: ` ${email.toUpperCase()}`, password: account.password });
    expect(login.status).toBe(200);
    expect(login.data).toMatchObject({
      tokenType: 'Bearer',
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      user: { email, username: `Alice_${id}`, emailVerified: true, role: 'user' },
    });
    expect(JSON.stringify(login.data)).not.toMatch(/argon2|passwordHash|tokenHash/);
    const cookies = login.headers.getSetCookie();
    const trpcCookie = cookies.find((c) => c.includes('Path=/trpc/auth.refresh'));
    expect(trpcCookie).toMatch(/^inkwell_refresh=[A-Za-z0-9_-]{43};/);
    expect(trpcCookie).toMatch(/HttpOnly/);
    expect(trpcCookie).toMatch(/SameSite=Strict/);
    expect(trpcCookie).not.toMatch(/Secure/); // test env; production sets Secure
  });

  it('rejects unknown keys such as role and emailVerifiedAt, and applies none of them', async () => {
    for (const extra of [
      { role: 'admin' },
      { emailVerifiedAt: new Date().toISOString() },
      { id: crypto.randomUUID() },
    ]) {
      const account = newAccount(extra);
      const res = await call('auth.register', account);
      expect(res.status).toBe(400);
      expect(res.error?.data).toMatchObject({
        code: 'BAD_REQUEST',
        issues: [expect.objectContaining({ code: 'unrecognized_keys' })],
      });
      expect(await storedUser(account.email)).toBeNull();
    }
    const user = await createSignedInUser(api);
    const login = await call('auth.login', { email: user.email, password: user.password, remember: true });
    expect(login.status).toBe(400);
  });

  it('password rules: 12..256 characters exactly as given, not one of the 10,000 most common', async () => {
    const short = await call('auth.register', newAccount({ password: 'elevenchars' }));
    expect(short.status).toBe(400);
    expect(short.error?.data).toMatchObject({ issues: [expect.objectContaining({ path: 'password' })] });
    expect((await call('auth.register', newAccount({ password: 'x'.repeat(257) }))).status).toBe(400);
    for (const common of ['qwerty123456', '1qaz2wsx3edc', 'LeaveMeAlone']) {
      const res = await call('auth.register', newAccount({ password: common }));
      expect(res.status).toBe(400);
      expect(res.error?.data).toMatchObject({
        issues: [{ path: 'password', message: expect.stringMatching(/common/) }],
      });
    }
    const longest = newAccount({ password: 'y'.repeat(256) });
    expect((await call('auth.register', longest)).status).toBe(200);

    // Spaces are part of the password: no trimming on either side.
    const spaced = newAccount({ password: '  spaced out words  ' });
    expect((await call('auth.register', spaced)).status).toBe(200);
    await call('auth.verifyEmail', { token: await latestMailedToken(api, 'mail.verify-email', spaced.email) });
    expect((await call('auth.login', { email: spaced.email, password: 'spaced out words' })).status).toBe(401);
    expect((await call('auth.login', { email: spaced.email, password: '  spaced out words  ' })).status).toBe(200);
  });

  it('usernames follow ^[a-zA-Z0-9_]{3,32}$ and are unique regardless of case; displayName 1..64', async () => {
    for (const username of ['ab', 'bad-name', 'has space', 'x'.repeat(33), 'émile']) {
      const res = await call('auth.register', newAccount({ username }));
      expect(res.status).toBe(400);
      expect(res.error?.data).toMatchObject({
        issues: expect.arrayContaining([expect.objectContaining({ path: 'username' })]),
      });
    }
    expect((await call('auth.register', newAccount({ displayName: '   ' }))).status).toBe(400);
    expect((await call('auth.register', newAccount({ displayName: 'd'.repeat(65) }))).status).toBe(400);

    const first = newAccount();
    expect((await call('auth.register', first)).status).toBe(200);
    const clash = await call('auth.register', newAccount({ username: first.username.toUpperCase() }));
    expect(clash.status).toBe(409);
    expect(clash.error?.data).toMatchObject({
      code: 'CONFLICT',
      issues: [{ path: 'username', message: expect.any(String) }],
    });
  });

  it('a taken email (any case) gets the same answer as a fresh one and sends nothing', async () => {
    const first = newAccount();
    const fresh = await call('auth.register', first);
    const taken = await call('auth.register', newAccount({ email: ` ${first.email.toUpperCase()} ` }));
    expect(taken.status).toBe(fresh.status);
    expect(taken.data).toEqual(fresh.data);
    expect(await outboxEventsFor(api, 'mail.verify-email', first.email)).toHaveLength(1);
    const count = await api.deps.orm.em.fork().count(User, { email: first.email });
    expect(count).toBe(1);
  });

  it('resendVerification: a new token (the old one retired) for unverified accounts, the same answer for others', async () => {
    const account = newAccount();
    await call('auth.register', account);
    const oldToken = await latestMailedToken(api, 'mail.verify-email', account.email);
    const resent = await call('auth.resendVerification', { email: account.email });
    expect(resent.status).toBe(200);
    const newToken = await latestMailedToken(api, 'mail.verify-email', account.email);
    expect(newToken).not.toBe(oldToken);
    expect((await call('auth.verifyEmail', { token: oldToken })).status).toBe(400);
    expect((await call('auth.verifyEmail', { token: newToken })).status).toBe(200);

    const unknown = await call('auth.resendVerification', { email: `nobody_${unique()}@example.com` });
    expect(unknown.status).toBe(200);
    expect(unknown.data).toEqual(resent.data);
    // Already verified: nothing more is sent.
    await call('auth.resendVerification', { email: account.email });
    expect(await outboxEventsFor(api, 'mail.verify-email', account.email)).toHaveLength(2);
  });

  it('email tokens are purpose-bound and expire', async () => {
    const account = newAccount();
    await call('auth.register', account);
    const verifyToken = await latestMailedToken(api, 'mail.verify-email', account.email);
    // A verification token never resets a password.
    const misuse = await call('auth.resetPassword', { token: verifyToken, newPassword: 'a brand new secret' });
    expect(misuse.status).toBe(400);
    expect(misuse.error?.data).toMatchObject({ reason: 'INVALID_TOKEN' });

    await call('auth.requestPasswordReset', { email: account.email });
    const resetToken = await latestMailedToken(api, 'mail.password-reset', account.email);
    // A reset token never verifies an email.
    expect((await call('auth.verifyEmail', { token: resetToken })).status).toBe(400);
    expect((await storedUser(account.email))?.emailVerifiedAt).toBeNull();

    // Expired tokens are refused (both purposes).
    await api.deps.orm.em
      .fork()
      .getConnection()
      .execute(`update email_tokens set expires_at = now() - interval '1 second'`);
    expect((await call('auth.verifyEmail', { token: verifyToken })).status).toBe(400);
    expect((await call('auth.resetPassword', { token: resetToken, newPassword: 'a brand new secret' })).status).toBe(
      400,
    );
    // A made-up token is refused the same way.
    expect((await call('auth.verifyEmail', { token: randomBytes(32).toString('base64url') })).status).toBe(400);
  });

  it('token lifetimes follow the configuration (verify 24 h, reset 30 min)', async () => {
    const account = newAccount();
    await call('auth.register', account);
    await call('auth.requestPasswordReset', { email: account.email });
    const rows = await api.deps.orm.em
      .fork()
      .getConnection()
      .execute<{ purpose: string; seconds: number }[]>(
        `select purpose, extract(epoch from t.expires_at - t.created_at)::int as seconds from email_tokens t
         join users u on u.id = t.user_id where u.email = ? order by purpose`,
        [account.email],
      );
    expect(rows).toEqual([
      { purpose: 'reset-password', seconds: 1800 },
      { purpose: 'verify-email', seconds: 86400 },
    ]);
  });

  it('password reset: same answer for unknown emails, ends every session, does not sign in, single use', async () => {
    const user = await createSignedInUser(api);
    const second = await signInAs(api, user.email, user.password);
    const known = await call('auth.requestPasswordReset', { email: user.email.toUpperCase() });
    const unknown = await call('auth.requestPasswordReset', { email: `nobody_${unique()}@example.com` });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.data).toEqual(known.data);
    const mail = (await outboxEventsFor(api, 'mail.password-reset', user.email)).at(-1);
    expect(mail?.payload).toMatchObject({ userId: user.userId, email: user.email, token: expect.any(String) });
    const token = String(mail?.payload.token);

    const reset = await call('auth.resetPassword', { token, newPassword: 'my fresh password' });
    expect(reset.status).toBe(200);
    expect(reset.data).toEqual({ ok: true });
    // Every session ends at once, access and refresh alike.
    for (const session of [user, second]) {
      expect((await callTrpc(api, 'auth.me', { type: 'query', headers: session.authHeader })).status).toBe(401);
      expect((await call('auth.refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    }
    expect(await outboxEventsFor(api, 'mail.password-changed', user.email)).toHaveLength(1);
    expect((await call('auth.resetPassword', { token, newPassword: 'another fresh one' })).status).toBe(400);
    expect((await call('auth.login', { email: user.email, password: user.password })).status).toBe(401);
    expect((await call('auth.login', { email: user.email, password: 'my fresh password' })).status).toBe(200);
  });

  it('changePassword: needs the current password, keeps this sign-in, ends the others', async () => {
    const user = await createSignedInUser(api);
    const other = await signInAs(api, user.email, user.password);
    const wrong = await call(
      'auth.changePassword',
      { currentPassword: 'not it at all', newPassword: 'the next secret' },
      user.authHeader,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.error?.data).toMatchObject({ issues: [{ path: 'currentPassword', message: expect.any(String) }] });
    const common = await call(
      'auth.changePassword',
      { currentPassword: user.password, newPassword: 'qwerty123456' },
      user.authHeader,
    );
    expect(common.status).toBe(400);

    const ok = await call(
      'auth.changePassword',
      { currentPassword: user.password, newPassword: 'the next secret' },
      user.authHeader,
    );
    expect(ok.status).toBe(200);
    expect((await callTrpc(api, 'auth.me', { type: 'query', headers: user.authHeader })).status).toBe(200);
    expect((await callTrpc(api, 'auth.me', { type: 'query', headers: other.authHeader })).status).toBe(401);
    expect((await call('auth.refresh', { refreshToken: other.refreshToken })).status).toBe(401);
    expect((await call('auth.refresh', { refreshToken: user.refreshToken })).status).toBe(200);
    expect(await outboxEventsFor(api, 'mail.password-changed', user.email)).toHaveLength(1);
    expect((await call('auth.login', { email: user.email, password: 'the next secret' })).status).toBe(200);
    expect((await call('auth.changePassword', { currentPassword: 'x', newPassword: 'y'.repeat(12) })).status).toBe(401);
  });

  it('disabled users cannot log in or refresh', async () => {
    const user = await createSignedInUser(api);
    await api.deps.orm.em.fork().nativeUpdate(User, { email: user.email }, { disabledAt: new Date() });
    const login = await call('auth.login', { email: user.email, password: user.password });
    expect(login.status).toBe(403);
    expect(login.error?.data).toMatchObject({ reason: 'ACCOUNT_DISABLED' });
    expect((await call('auth.refresh', { refreshToken: user.refreshToken })).status).toBe(401);
    // Wrong password on a disabled account looks like any wrong password.
    expect((await call('auth.login', { email: user.email, password: 'not the password' })).status).toBe(401);
  });

  it('re-hashes on login when the stored hash is below the configured cost', async () => {
    const user = await createSignedInUser(api);
    const weak = await argon2.hash(user.password, {
      type: argon2.argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await api.deps.orm.em.fork().nativeUpdate(User, { email: user.email }, { passwordHash: weak });
    expect((await call('auth.login', { email: user.email, password: user.password })).status).toBe(200);
    expect(await storedHash(user.email)).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect((await call('auth.login', { email: user.email, password: user.password })).status).toBe(200);
  });

  it('a bad access token fails public procedures too (401), with the one error shape', async () => {
    // auth.login and the other credential procedures ignore it (see authenticate.test.ts).
    const res = await callTrpc(api, 'posts.list', { type: 'query', headers: { authorization: 'Bearer not.a.jwt' } });
    expect(res.status).toBe(401);
    expect(res.error?.data).toMatchObject({ code: 'UNAUTHORIZED', requestId: res.headers.get('x-request-id') });
    expect(JSON.stringify(res.error)).not.toContain('stack');
  });
});
