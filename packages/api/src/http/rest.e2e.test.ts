import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApi, type TestApi } from '../test/harness.js';

/**
 * The whole product over REST with plain `fetch` (no tRPC client): what a non-TypeScript
 * consumer sees, statuses and bodies included.
 */
const errorBody = z.strictObject({
  code: z.string(),
  message: z.string(),
  requestId: z.string().nullable(),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string(), code: z.string() })).optional(),
  reason: z.string().optional(),
  retryAfterSeconds: z.number().int().positive().optional(),
});
const tokens = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(43),
});
const user = z.object({ id: z.uuid(), username: z.string() });
const post = z.object({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  author: user,
  likeCount: z.number(),
  commentCount: z.number(),
  likedByMe: z.boolean(),
});
const comment = z.object({
  id: z.uuid(),
  postId: z.uuid(),
  parentId: z.uuid().nullable(),
  depth: z.number(),
  body: z.string().nullable(),
});
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

describe('REST end to end (plain fetch)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function call<T extends z.ZodType>(
    schema: T,
    method: string,
    path: string,
    options: { body?: unknown; token?: string; cookie?: string; status?: number } = {},
  ): Promise<{ body: z.infer<T>; res: Response }> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    const res = await fetch(`${api.url}/api${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const json: unknown = await res.json();
    expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(options.status ?? 200);
    if (res.status >= 400) expect(errorBody.parse(json).requestId).toBe(res.headers.get('x-request-id'));
    return { body: schema.parse(json), res };
  }

  /** The `name=value` pair of the refresh cookie a response sets. */
  function refreshCookie(res: Response): string {
    // One cookie per refresh endpoint (tRPC and REST), each scoped by its Path.
    const cookie = res.headers
      .getSetCookie()
      .find((value) => value.startsWith('inkwell_refresh=') && /; Path=\/api\/auth\/refresh(;|$)/.test(value));
    expect(cookie, 'refresh cookie for /api/auth/refresh').toBeDefined();
    expect(cookie).toMatch(/HttpOnly/);
    return (cookie ?? '').split(';')[0] ?? '';
  }

  it('register → verify → login → post → comment → like → update → delete, refresh and logout', async () => {
    const email = 'rest-e2e@example.com';
    const password = 'a long REST passphrase 42';

    // Register: the same answer whether or not the address exists.
    await call(z.object({ accepted: z.literal(true) }), 'POST', '/auth/register', {
      body: { email, username: 'rest_e2e', displayName: 'REST E2E', password },
    });

    // The verification token travels in the outbox row the worker would mail.
    const rows = await api.deps.orm.em
      .fork()
      .getConnection()
      .execute<{ payload: unknown }[]>(
        `select payload from outbox_events where type = 'mail.verify-email' and payload->>'email' = ?`,
        [email],
      );
    expect(rows).toHaveLength(1);
    const { token } = z.object({ token: z.string() }).parse(rows[0]?.payload);
    await call(z.object({ ok: z.literal(true) }), 'POST', '/auth/verify-email', { body: { token } });

    const login = await call(tokens.extend({ user }), 'POST', '/auth/login', { body: { email, password } });
    refreshCookie(login.res);
    const access = login.body.accessToken;
    const me = await call(user, 'GET', '/auth/me', { token: access });
    expect(me.body.username).toBe('rest_e2e');

    // Writing needs a token; invalid input lists the fields.
    await call(errorBody, 'POST', '/posts', { body: { title: 'x', body: 'y' }, status: 401 });
    const invalid = await call(errorBody, 'POST', '/posts', {
      token: access,
      body: { title: '', body: 'y', tags: ['Not A Tag!'] },
      status: 400,
    });
    expect(invalid.body.code).toBe('BAD_REQUEST');
    expect(invalid.body.issues?.map((issue) => issue.path).sort()).toEqual(['tags.0', 'title']);

    const created = await call(post, 'POST', '/posts', {
      token: access,
      body: { title: 'Hello REST', body: 'Posted with **fetch**.', tags: ['rest-e2e'] },
      status: 201,
    });
    const postId = created.body.id;
    expect(created.body).toMatchObject({ title: 'Hello REST', tags: ['rest-e2e'], author: { username: 'rest_e2e' } });

    const listed = await call(page(post), 'GET', '/posts?tag=rest-e2e&limit=10&sort=new');
    expect(listed.body.items.map((item) => item.id)).toEqual([postId]);
    const fetched = await call(post, 'GET', `/posts/${postId}`);
    expect(fetched.body.title).toBe('Hello REST');

    const top = await call(comment, 'POST', `/posts/${postId}/comments`, {
      token: access,
      body: { body: 'First!' },
      status: 201,
    });
    const reply = await call(comment, 'POST', `/posts/${postId}/comments`, {
      token: access,
      body: { body: 'A reply', parentId: top.body.id },
      status: 201,
    });
    expect(reply.body).toMatchObject({ parentId: top.body.id, depth: 1 });
    const thread = await call(page(comment), 'GET', `/posts/${postId}/comments?scope=all`);
    expect(thread.body.items.map((item) => [item.body, item.depth])).toEqual([
      ['First!', 0],
      ['A reply', 1],
    ]);
    const subtree = await call(z.object({ items: z.array(comment) }), 'GET', `/comments/${top.body.id}`);
    expect(subtree.body.items.map((item) => item.id)).toEqual([top.body.id, reply.body.id]);

    const liked = await call(
      z.object({ postId: z.uuid(), likedByMe: z.boolean(), likeCount: z.number() }),
      'PUT',
      `/posts/${postId}/like`,
      {
        token: access,
      },
    );
    expect(liked.body).toEqual({ postId, likedByMe: true, likeCount: 1 });
    expect((await call(post, 'GET', `/posts/${postId}`, { token: access })).body).toMatchObject({
      likedByMe: true,
      likeCount: 1,
      commentCount: 2,
    });
    expect((await call(post, 'GET', `/posts/${postId}`)).body.likedByMe).toBe(false);

    const updated = await call(post, 'PATCH', `/posts/${postId}`, { token: access, body: { title: 'Hello again' } });
    expect(updated.body.title).toBe('Hello again');

    const deleted = await call(z.object({ id: z.uuid(), deleted: z.literal(true) }), 'DELETE', `/posts/${postId}`, {
      token: access,
    });
    expect(deleted.body).toEqual({ id: postId, deleted: true });
    const gone = await call(errorBody, 'GET', `/posts/${postId}`, { status: 404 });
    expect(gone.body.code).toBe('NOT_FOUND');

    // Refresh with the token in the body, then with the cookie the answer set.
    const byBody = await call(tokens, 'POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    await call(user, 'GET', '/auth/me', { token: byBody.body.accessToken });
    const byCookie = await call(tokens, 'POST', '/auth/refresh', { body: {}, cookie: refreshCookie(byBody.res) });
    expect(byCookie.body.refreshToken).not.toBe(byBody.body.refreshToken);
    const latest = byCookie.body;

    // Logout ends the sign-in: its refresh token no longer works.
    await call(z.object({ ok: z.literal(true) }), 'POST', '/auth/logout', { token: latest.accessToken });
    const refused = await call(errorBody, 'POST', '/auth/refresh', {
      body: { refreshToken: latest.refreshToken },
      status: 401,
    });
    expect(refused.body.code).toBe('UNAUTHORIZED');
  });

  it('answers a rate-limited operation with 429, Retry-After and reason RATE_LIMITED', async () => {
    const limited = await startTestApi({ env: { RATE_LIMIT_REGISTER_ADDRESS: '1/3600' } });
    try {
      const register = () =>
        fetch(`${limited.url}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: 'limited@example.com',
            username: 'limited_user',
            displayName: 'Limited',
            password: 'a long REST passphrase 42',
          }),
        });
      expect((await register()).status).toBe(200);
      const refused = await register();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(errorBody.parse(await refused.json())).toMatchObject({
        code: 'TOO_MANY_REQUESTS',
        reason: 'RATE_LIMITED',
        retryAfterSeconds: Number(refused.headers.get('retry-after')),
      });
    } finally {
      await limited.close();
    }
  });
});
