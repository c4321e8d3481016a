import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalJson } from './cache/stable-hash.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { appRouter as root } from './root.js';
import { callTrpc, createSignedInUser } from './test/auth-helpers.js';
import { listProcedures } from './test/fuzz/catalog.js';
import { startTestApi, type TestApi } from './test/harness.js';

/** The parts of a tRPC answer these tests read. */
const trpcBody = z.object({
  result: z
    .object({ data: z.object({ accessToken: z.string().optional(), refreshToken: z.string().nullable().optional() }) })
    .optional(),
  error: z
    .object({
      data: z.object({ code: z.string(), reason: z.string().optional(), retryAfterSeconds: z.number().optional() }),
    })
    .optional(),
});

/** Every procedure whose input has a `cursor`: the ones infinite queries page through. */
const cursorProcedures = listProcedures(root).filter((entry) => {
  const probe = entry.input?.safeParse({ cursor: null, direction: 'forward', limit: 1 });
  const issues = probe && !probe.success ? probe.error.issues : [];
  return (
    entry.type === 'query' &&
    entry.input !== null &&
    !issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('cursor'))
  );
});

describe('list inputs and infinite queries', () => {
  it('finds the cursor procedures', () => {
    expect(cursorProcedures.map((entry) => entry.path)).toEqual(
      expect.arrayContaining([
        'posts.list',
        'posts.comments.list',
        'users.list',
        'users.posts',
        'users.likedPosts',
        'auth.sessions',
      ]),
    );
  });

  it('drop `cursor: null` and `direction` while parsing: the parsed input (the cache key) is the plain one', () => {
    for (const entry of cursorProcedures) {
      const base =
        entry.path.startsWith('users.') && entry.path !== 'users.list'
          ? { id: '01890000-0000-7000-8000-000000000000' }
          : entry.path === 'posts.comments.list'
            ? { postId: '01890000-0000-7000-8000-000000000000' }
            : {};
      const plain = entry.input?.parse({ ...base, limit: 5 });
      for (const direction of ['forward', 'backward']) {
        const infinite = entry.input?.parse({ ...base, limit: 5, cursor: null, direction });
        expect({ path: entry.path, key: canonicalJson(infinite) }).toEqual({
          path: entry.path,
          key: canonicalJson(plain),
        });
      }
      expect(entry.input?.safeParse({ ...base, direction: 'sideways' }).success).toBe(false);
    }
  });

  it('the OpenAPI parameters carry the zod descriptions', () => {
    const document = buildOpenApiDocument(root, { publicUrl: 'https://inkwell.example', env: 'test' });
    const parameters = document.paths?.['/posts']?.get?.parameters ?? [];
    const described = Object.fromEntries(
      parameters.flatMap((parameter) => ('name' in parameter ? [[parameter.name, parameter.description]] : [])),
    );
    expect(described.q).toMatch(/^Full-text search over title and body/);
    expect(described.cursor).toMatch(/nextCursor/);
    expect(described.limit).toBe('Items per page, 1 to 100.');
    expect(described.author).toBe("Only this user's posts (their id).");
  });
});

describe('over HTTP', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { RATE_LIMIT_RESEND_VERIFICATION_ADDRESS: '1/3600' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('every cursor procedure answers what an infinite query sends for its first page', async () => {
    const user = await createSignedInUser(api);
    const created = await callTrpc(api, 'posts.create', {
      input: { title: 'Paged', body: 'Comments page' },
      headers: user.authHeader,
    });
    const ids = { id: user.userId, postId: String(Reflect.get(Object(created.data), 'id')) };
    for (const entry of cursorProcedures) {
      const input: Record<string, unknown> = { cursor: null, direction: 'forward', limit: 2 };
      if (entry.path.startsWith('users.') && entry.path !== 'users.list') input.id = ids.id;
      if (entry.path === 'posts.comments.list') input.postId = ids.postId;
      const url = `${api.url}/trpc/${entry.path}?input=${encodeURIComponent(JSON.stringify(input))}`;
      const res = await fetch(url, { headers: user.authHeader });
      const body = await res.json();
      expect({ path: entry.path, status: res.status, body: res.status === 200 ? 'ok' : body }).toEqual({
        path: entry.path,
        status: 200,
        body: 'ok',
      });
    }
  });

  it('cookieOnly sign-ins keep the refresh token out of the body; the cookie refreshes', async () => {
    const user = await createSignedInUser(api);
    const post = (path: string, input: unknown, headers: Record<string, string> = {}) =>
      fetch(`${api.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(input),
      });
    const login = await post('auth.login', { email: user.email, password: user.password, cookieOnly: true });
    const loginBody = trpcBody.parse(await login.json());
    expect(loginBody.result?.data.refreshToken).toBeNull();
    expect(loginBody.result?.data.accessToken).toEqual(expect.any(String));
    const cookie =
      login.headers
        .getSetCookie()
        .find((c) => c.includes('Path=/trpc/auth.refresh'))
        ?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^inkwell_refresh=[\w-]{43,}$/);
    expect(JSON.stringify(loginBody)).not.toContain(cookie.split('=')[1]);

    const refreshed = await post('auth.refresh', { cookieOnly: true }, { cookie });
    const refreshedBody = trpcBody.parse(await refreshed.json());
    expect(refreshed.status).toBe(200);
    expect(refreshedBody.result?.data.refreshToken).toBeNull();
    const rotated = refreshed.headers.getSetCookie().find((c) => c.includes('Path=/trpc/auth.refresh')) ?? '';
    expect(JSON.stringify(refreshedBody)).not.toContain(rotated.split(';')[0]?.split('=')[1]);

    // Without cookieOnly the body still carries it (Node clients, REST).
    const plain = trpcBody.parse(
      await (await post('auth.login', { email: user.email, password: user.password })).json(),
    );
    expect(plain.result?.data.refreshToken).toEqual(expect.any(String));
  });

  it('RATE_LIMITED errors say how long to wait', async () => {
    const email = `limited_${Date.now()}@example.test`;
    const send = () =>
      fetch(`${api.url}/trpc/auth.resendVerification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
    expect((await send()).status).toBe(200);
    const limited = await send();
    const body = trpcBody.parse(await limited.json());
    expect(limited.status).toBe(429);
    expect(body.error?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    expect(body.error?.data.retryAfterSeconds).toBe(Number(limited.headers.get('retry-after')));
    expect(body.error?.data.retryAfterSeconds).toBeGreaterThan(0);
  });
});
