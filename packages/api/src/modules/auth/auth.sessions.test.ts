import { Session } from '@inkwell/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTrpc, createSignedInUser, type SignedInUser, signInAs } from '../../test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
}

describe('auth: refresh rotation, logout and sessions (real HTTP)', () => {
  let api: TestApi;
  /** Same database and Redis, no reuse grace: a rotated token presented again is reuse at once. */
  let strict: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    strict = await startTestApi({ shareWith: api, env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
  });
  afterAll(async () => {
    await strict?.close();
    await api?.close();
  });

  const refresh = (target: TestApi, refreshToken?: string, headers: Record<string, string> = {}) =>
    callTrpc(target, 'auth.refresh', { input: refreshToken ? { refreshToken } : undefined, headers });
  const me = (authorization: string, target = api) =>
    callTrpc(target, 'auth.me', { type: 'query', headers: { authorization } });
  const bearer = (tokens: { accessToken: string }) => `Bearer ${tokens.accessToken}`;

  it('rotates on every use within the family; the absolute end never moves', async () => {
    const user = await createSignedInUser(api);
    const first = await refresh(api, user.refreshToken);
    expect(first.status).toBe(200);
    const a = first.data as Tokens;
    expect(a.refreshToken).not.toBe(user.refreshToken);
    expect(a.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await me(bearer(a))).status).toBe(200);

    const second = await refresh(api, a.refreshToken);
    const b = second.data as Tokens;
    expect(b.refreshTokenExpiresAt).toBe(a.refreshTokenExpiresAt);
    expect(Date.parse(b.accessTokenExpiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60 * 1000);

    const rows = await api.deps.orm.em.fork().find(Session, { user: user.userId }, { orderBy: { createdAt: 'asc' } });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row) => row.familyId)).size).toBe(1);
    expect(rows[0]?.replacedBy).toBe(rows[1]?.id);
    expect(rows.filter((row) => row.rotatedAt === null)).toHaveLength(1);
    // Only hashes are stored.
    expect(rows.map((row) => row.tokenHash)).not.toContain(b.refreshToken);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.tokenHash))).toBe(true);
  });

  it('accepts the refresh token from the httpOnly cookie and sets the rotated one', async () => {
    const user = await createSignedInUser(api);
    const login = await callTrpc(api, 'auth.login', { input: { email: user.email, password: user.password } });
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.includes('Path=/trpc/auth.refresh'))
      ?.split(';')[0];
    expect(cookie).toMatch(/^inkwell_refresh=/);
    const viaCookie = await refresh(api, undefined, { cookie: String(cookie) });
    expect(viaCookie.status).toBe(200);
    const rotated = viaCookie.headers.getSetCookie().find((c) => c.includes('Path=/trpc/auth.refresh'));
    expect(rotated).toContain(`inkwell_refresh=${(viaCookie.data as Tokens).refreshToken};`);
    expect(rotated).toMatch(/HttpOnly/);
    // No token at all.
    expect((await refresh(api)).status).toBe(401);
  });

  it('reuse of a rotated token (after the grace window) revokes the whole family', async () => {
    const user = await createSignedInUser(strict);
    const next = (await refresh(strict, user.refreshToken)).data as Tokens;
    expect((await me(bearer(next), strict)).status).toBe(200);

    const replay = await refresh(strict, user.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.error?.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'SESSION_ENDED' });
    // The legitimate successor is dead too, access and refresh alike.
    expect((await refresh(strict, next.refreshToken)).status).toBe(401);
    expect((await me(bearer(next), strict)).status).toBe(401);
    const rows = await api.deps.orm.em.fork().find(Session, { user: user.userId });
    expect(rows.every((row) => row.revokedReason === 'refresh-reuse')).toBe(true);
  });

  it('two parallel refreshes inside the grace window both succeed in the same family', async () => {
    const user = await createSignedInUser(api);
    const [one, two] = await Promise.all([refresh(api, user.refreshToken), refresh(api, user.refreshToken)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const a = one.data as Tokens;
    const b = two.data as Tokens;
    expect(a.refreshToken).not.toBe(b.refreshToken);
    expect(a.refreshTokenExpiresAt).toBe(b.refreshTokenExpiresAt);
    expect((await refresh(api, a.refreshToken)).status).toBe(200);
    expect((await refresh(api, b.refreshToken)).status).toBe(200);
    const families = await api.deps.orm.em.fork().find(Session, { user: user.userId });
    expect(new Set(families.map((row) => row.familyId)).size).toBe(1);
  });

  it('a family past its absolute end cannot refresh', async () => {
    const user = await createSignedInUser(api);
    await api.deps.orm.em
      .fork()
      .nativeUpdate(Session, { user: user.userId }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await refresh(api, user.refreshToken)).status).toBe(401);
    expect((await me(user.authHeader.authorization)).status).toBe(401);
  });

  it('the refresh token is never accepted as an access token, nor the access token as a refresh token', async () => {
    const user = await createSignedInUser(api);
    expect((await me(`Bearer ${user.refreshToken}`)).status).toBe(401);
    expect((await refresh(api, user.accessToken.slice(0, 128))).status).toBe(400);
  });

  it('logout ends this sign-in at once and clears the cookie; other sign-ins live on', async () => {
    const user = await createSignedInUser(api);
    const other = await signInAs(api, user.email, user.password);
    const out = await callTrpc(api, 'auth.logout', { headers: user.authHeader });
    expect(out.status).toBe(200);
    const cleared = out.headers.getSetCookie().find((c) => c.includes('Path=/trpc/auth.refresh'));
    expect(cleared).toMatch(/^inkwell_refresh=;.*Expires=Thu, 01 Jan 1970/);
    expect((await me(user.authHeader.authorization)).status).toBe(401);
    expect((await refresh(api, user.refreshToken)).status).toBe(401);
    expect((await me(other.authHeader.authorization)).status).toBe(200);
  });

  it('logoutAll ends every sign-in of the user, and only theirs', async () => {
    const user = await createSignedInUser(api);
    const second = await signInAs(api, user.email, user.password);
    const bystander = await createSignedInUser(api);
    expect((await callTrpc(api, 'auth.logoutAll', { headers: second.authHeader })).status).toBe(200);
    for (const session of [user, second]) {
      expect((await me(session.authHeader.authorization)).status).toBe(401);
      expect((await refresh(api, session.refreshToken)).status).toBe(401);
    }
    expect((await me(bystander.authHeader.authorization)).status).toBe(200);
  });

  it('sessions lists a family with two live rows once, even when its rows straddle a page boundary', async () => {
    const alice = await createSignedInUser(api);
    const em = api.deps.orm.em.fork();
    const [first] = await em.execute<{ family_id: string }[]>(
      'select family_id from sessions where user_id = ? order by created_at limit 1',
      [alice.userId],
    );
    const familyId = String(first?.family_id);
    await signInAs(api, alice.email, alice.password);
    // A second live row of the first family, newer than the other sign-in (as two refreshes
    // inside the grace window leave): by creation time the rows go first family, other, first family.
    await em.execute(
      `insert into sessions (id, user_id, family_id, token_hash, expires_at, created_at)
       select gen_random_uuid(), user_id, family_id, encode(sha256(gen_random_uuid()::text::bytea), 'hex'),
              expires_at, now() + interval '1 second'
       from sessions where family_id = ? limit 1`,
      [familyId],
    );

    const listed: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const res = await callTrpc(api, 'auth.sessions', {
        type: 'query',
        input: { limit: 1, ...(cursor ? { cursor } : {}) },
        headers: alice.authHeader,
      });
      expect(res.status).toBe(200);
      const data = res.data as { items: { id: string }[]; nextCursor: string | null };
      listed.push(...data.items.map((item) => item.id));
      cursor = data.nextCursor;
      if (!cursor) break;
    }
    expect(listed).toHaveLength(2);
    expect(listed[0]).toBe(familyId);
    expect(new Set(listed).size).toBe(2);
  });

  it('sessions lists live sign-ins (current marked, paginated); revokeSession ends one; no IDOR', async () => {
    const alice = await createSignedInUser(api);
    const aliceLaptop = await signInAs(api, alice.email, alice.password);
    const aliceOld = await signInAs(api, alice.email, alice.password);
    await callTrpc(api, 'auth.logout', { headers: aliceOld.authHeader });
    const mallory = await createSignedInUser(api);

    const list = await callTrpc(api, 'auth.sessions', { type: 'query', headers: alice.authHeader });
    expect(list.status).toBe(200);
    const sessions = list.data as {
      items: { id: string; current: boolean; userAgent: string | null }[];
      nextCursor: string | null;
    };
    expect(sessions.items).toHaveLength(2);
    expect(sessions.items.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.nextCursor).toBeNull();
    expect(JSON.stringify(sessions)).not.toMatch(/token|hash/i);

    const firstPage = await callTrpc(api, 'auth.sessions', {
      type: 'query',
      input: { limit: 1 },
      headers: alice.authHeader,
    });
    const page1 = firstPage.data as typeof sessions;
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (
      await callTrpc(api, 'auth.sessions', {
        type: 'query',
        input: { limit: 1, cursor: page1.nextCursor },
        headers: alice.authHeader,
      })
    ).data as typeof sessions;
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    expect(new Set([...page1.items, ...page2.items].map((s) => s.id))).toEqual(
      new Set(sessions.items.map((s) => s.id)),
    );

    const laptop = sessions.items.find((s) => !s.current);
    expect(laptop).toBeDefined();
    const laptopId = String(laptop?.id);

    // Mallory cannot end (or learn about) Alice's session: NOT_FOUND, and it lives on.
    const idor = await callTrpc(api, 'auth.revokeSession', { input: { id: laptopId }, headers: mallory.authHeader });
    expect(idor.status).toBe(404);
    expect((await me(aliceLaptop.authHeader.authorization)).status).toBe(200);
    const malloryList = (await callTrpc(api, 'auth.sessions', { type: 'query', headers: mallory.authHeader }))
      .data as typeof sessions;
    expect(malloryList.items.map((s) => s.id)).not.toContain(laptopId);

    const revoked = await callTrpc(api, 'auth.revokeSession', { input: { id: laptopId }, headers: alice.authHeader });
    expect(revoked.status).toBe(200);
    expect((await me(aliceLaptop.authHeader.authorization)).status).toBe(401);
    expect((await refresh(api, aliceLaptop.refreshToken)).status).toBe(401);
    expect((await me(alice.authHeader.authorization)).status).toBe(200);
    // Already ended: nothing to revoke.
    expect(
      (await callTrpc(api, 'auth.revokeSession', { input: { id: laptopId }, headers: alice.authHeader })).status,
    ).toBe(404);
  });

  it('session listing survives refresh: the id is the stable family id', async () => {
    const user: SignedInUser = await createSignedInUser(api);
    const before = (await callTrpc(api, 'auth.sessions', { type: 'query', headers: user.authHeader })).data as {
      items: { id: string; current: boolean }[];
    };
    const next = (await refresh(api, user.refreshToken)).data as Tokens;
    const after = (await callTrpc(api, 'auth.sessions', { type: 'query', headers: { authorization: bearer(next) } }))
      .data as typeof before;
    expect(after.items.map((s) => s.id)).toEqual(before.items.map((s) => s.id));
    expect(after.items[0]?.current).toBe(true);
  });
});
