import { User } from '@inkwell/db';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTrpc, createSignedInUser } from '../../test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../test/harness.js';
import { revokeUserSessions } from './sessions.service.js';
import { signAccessToken } from './tokens.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens and authenticateRequest (real HTTP)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const me = (authorization?: string) =>
    callTrpc(api, 'auth.me', { type: 'query', headers: authorization ? { authorization } : {} });

  const expectUnauthorized = async (authorization: string) => {
    const res = await me(authorization);
    expect(res.status).toBe(401);
    expect(res.error?.data).toMatchObject({ code: 'UNAUTHORIZED', requestId: res.headers.get('x-request-id') });
  };

  it('a valid token resolves the viewer; no header is anonymous (401 on a protected procedure)', async () => {
    const user = await createSignedInUser(api);
    const ok = await me(user.authHeader.authorization);
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ id: user.userId, email: user.email, emailVerified: true, role: 'user' });
    expect(JSON.stringify(ok.data)).not.toMatch(/hash|token/i);
    const anonymous = await me();
    expect(anonymous.status).toBe(401);
  });

  it('refuses a tampered token, alg none, a foreign key, wrong iss/aud/typ and an expired token', async () => {
    const user = await createSignedInUser(api);
    const [header, payload, signature] = user.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;

    // Payload changed (role escalation attempt), signature kept.
    await expectUnauthorized(`Bearer ${header}.${b64({ ...claims, role: 'admin' })}.${signature}`);
    // Signature flipped.
    await expectUnauthorized(`Bearer ${header}.${payload}.${signature.slice(0, -2)}AA`);
    // alg none, with and without a signature part.
    await expectUnauthorized(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`);
    await expectUnauthorized(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`);

    const secret = new TextEncoder().encode(api.config.auth.jwtSecret);
    const forge = (overrides: Record<string, unknown>, key = secret, alg = 'HS256') =>
      new SignJWT({ ...claims, ...overrides }).setProtectedHeader({ alg }).sign(key);
    await expectUnauthorized(`Bearer ${await forge({}, new TextEncoder().encode('x'.repeat(40)))}`);
    await expectUnauthorized(`Bearer ${await forge({}, secret, 'HS512')}`);
    await expectUnauthorized(`Bearer ${await forge({ iss: 'someone-else' })}`);
    await expectUnauthorized(`Bearer ${await forge({ aud: 'another-api' })}`);
    await expectUnauthorized(`Bearer ${await forge({ typ: 'refresh' })}`);
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectUnauthorized(`Bearer ${await forge({ iat: past - 900, exp: past })}`);
    // The control: the same forging with nothing changed is accepted.
    expect((await me(`Bearer ${await forge({})}`)).status).toBe(200);
  });

  it('refuses the refresh token used as an access token, and garbage headers', async () => {
    const user = await createSignedInUser(api);
    await expectUnauthorized(`Bearer ${user.refreshToken}`);
    await expectUnauthorized('Basic dXNlcjpwYXNz');
    await expectUnauthorized('Bearer');
  });

  it('an expired or garbage access token does not block auth.refresh, auth.login or the other credential procedures', async () => {
    const user = await createSignedInUser(api);
    const claims = JSON.parse(Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ ...claims, iat: past - 900, exp: past })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(api.config.auth.jwtSecret));
    await expectUnauthorized(`Bearer ${expired}`);

    let refreshToken = user.refreshToken;
    for (const authorization of [`Bearer ${expired}`, 'Bearer not.a.token']) {
      const headers = { authorization };
      const refreshed = await callTrpc(api, 'auth.refresh', { input: { refreshToken }, headers });
      expect(refreshed.status).toBe(200);
      refreshToken = String((refreshed.data as { refreshToken: string }).refreshToken);
      const login = await callTrpc(api, 'auth.login', {
        input: { email: user.email, password: user.password },
        headers,
      });
      expect(login.status).toBe(200);
      const reset = await callTrpc(api, 'auth.requestPasswordReset', { input: { email: user.email }, headers });
      expect(reset.status).toBe(200);
    }
    // Procedures that use the viewer still refuse it.
    expect((await callTrpc(api, 'auth.logout', { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
  });

  it('a revoked session or a disabled user is refused on the very next request', async () => {
    const user = await createSignedInUser(api);
    expect((await me(user.authHeader.authorization)).status).toBe(200);
    const em = api.deps.orm.em.fork();
    expect(await revokeUserSessions(em, user.userId, 'logout-all')).toBe(1);
    await expectUnauthorized(user.authHeader.authorization);

    const other = await createSignedInUser(api);
    expect((await me(other.authHeader.authorization)).status).toBe(200);
    await em.nativeUpdate(User, { id: other.userId }, { disabledAt: new Date() });
    await expectUnauthorized(other.authHeader.authorization);
  });

  it('revokeUserSessions keeps the excepted session family and counts what it ended', async () => {
    const user = await createSignedInUser(api);
    const em = api.deps.orm.em.fork();
    const second = await signAccessToken(api.config.auth, { userId: user.userId, sessionId: user.userId });
    // A token whose session id does not exist is refused.
    await expectUnauthorized(`Bearer ${second.token}`);
    const claims = JSON.parse(Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
      sid: string;
    };
    expect(await revokeUserSessions(em, user.userId, 'password-change', { exceptSessionId: claims.sid })).toBe(0);
    expect((await me(user.authHeader.authorization)).status).toBe(200);
    // An unknown excepted id keeps nothing alive.
    expect(await revokeUserSessions(em, user.userId, 'role-change', { exceptSessionId: user.userId })).toBe(1);
    await expectUnauthorized(user.authHeader.authorization);
  });
});
