import { freePort, type ScratchRedis, startScratchRedis, waitFor } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser } from '../test/auth-helpers.js';
import {
  cacheTestFastPathRoutes,
  cacheTestRouter,
  counterValue,
  insertUser,
  type Profile,
  type ProfileProbe,
} from '../test/cache-fixtures.js';
import { startTestApi, type TestApi } from '../test/harness.js';
import { startTcpProxy, type TcpProxy } from '../test/tcp-proxy.js';
import { trpcClient } from '../test/trpc-client.js';

const CACHE_TIMEOUT_MS = 50;
/** Timeout plus a generous allowance for a loaded CI machine; what matters is "not seconds". */
const ANSWER_BUDGET_MS = CACHE_TIMEOUT_MS + 1_000;

const probe: ProfileProbe = { loads: 0, hold: null };
const testRouter = cacheTestRouter(probe);

let scratch: ScratchRedis;
let proxy: TcpProxy;
let api: TestApi;

beforeAll(async () => {
  scratch = await startScratchRedis();
  proxy = await startTcpProxy(scratch.port);
  api = await startTestApi({
    router: testRouter,
    fastPathRoutes: cacheTestFastPathRoutes,
    env: { CACHE_REDIS_URL: proxy.url, CACHE_TIMEOUT_MS: String(CACHE_TIMEOUT_MS) },
  });
});
afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await scratch?.kill();
});

/** One read, timed; over tRPC or REST (the fast path's two doors). */
async function timedRead(on: TestApi, id: string, via: 'trpc' | 'rest' = 'trpc') {
  const started = performance.now();
  const url =
    via === 'trpc'
      ? `${on.url}/trpc/profile?input=${encodeURIComponent(JSON.stringify({ id }))}`
      : `${on.url}/api/test-profiles/${id}`;
  const response = await fetch(url);
  const text = await response.text();
  const elapsed = performance.now() - started;
  return { status: response.status, text, elapsed };
}

async function read(on: TestApi, id: string): Promise<Profile> {
  const { status, text, elapsed } = await timedRead(on, id);
  expect(status).toBe(200);
  expect(elapsed).toBeLessThan(ANSWER_BUDGET_MS);
  return (JSON.parse(text) as { result: { data: Profile } }).result.data;
}

async function rename(id: string, displayName: string) {
  const response = await fetch(`${api.url}/trpc/rename`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, displayName }),
  });
  expect(response.status).toBe(200);
}

const hits = () => counterValue(api.deps.metrics.registry, 'inkwell_cache_requests_total', { result: 'hit' });
const errors = () => counterValue(api.deps.metrics.registry, 'inkwell_cache_requests_total', { result: 'error' });

describe.skipIf(process.env.CACHE_ENABLED === 'false')('cache Redis failures (fail open)', () => {
  it('answers from PostgreSQL while Redis hangs, sees writes, and uses the cache again after', async () => {
    const id = await insertUser(api, 'Steady');
    await read(api, id);
    expect((await read(api, id)).displayName).toBe('Steady'); // now cached

    proxy.setMode('blackhole');
    const errorsBefore = await errors();
    for (let i = 0; i < 5; i += 1) expect((await read(api, id)).displayName).toBe('Steady');
    expect(await errors()).toBeGreaterThan(errorsBefore);

    // The write commits; its invalidation cannot reach Redis and stays owed.
    await rename(id, 'Changed while down');
    expect((await read(api, id)).displayName).toBe('Changed while down');

    // Redis is back with the old entry still in it: the owed invalidation goes first.
    expect(await counterValue(api.deps.metrics.registry, 'inkwell_cache_write_errors_total')).toBeGreaterThan(0);
    proxy.setMode('pass');
    const hitsBefore = await hits();
    await waitFor(async () => {
      expect((await read(api, id)).displayName).toBe('Changed while down');
      return (await hits()) > hitsBefore;
    }, 10_000);
    expect((await read(api, id)).displayName).toBe('Changed while down');
  });

  it('answers from PostgreSQL while Redis is stopped, over tRPC and REST, and recovers by itself', async () => {
    const id = await insertUser(api, 'Survivor');
    await read(api, id);
    await scratch.kill();

    for (let i = 0; i < 5; i += 1) {
      expect((await read(api, id)).displayName).toBe('Survivor');
      const rest = await timedRead(api, id, 'rest');
      // No REST adapter serves this test router: a miss falls through to express's 404.
      expect(rest.status).toBe(404);
      expect(rest.elapsed).toBeLessThan(ANSWER_BUDGET_MS);
    }
    await rename(id, 'Renamed while stopped');
    expect((await read(api, id)).displayName).toBe('Renamed while stopped');

    await scratch.start();
    const hitsBefore = await hits();
    await waitFor(async () => {
      expect((await read(api, id)).displayName).toBe('Renamed while stopped');
      return (await hits()) > hitsBefore;
    }, 10_000);
  });

  it('answers from PostgreSQL when the cache Redis port is closed', async () => {
    const closed = await startTestApi({
      shareWith: api,
      router: testRouter,
      fastPathRoutes: cacheTestFastPathRoutes,
      env: { CACHE_REDIS_URL: `redis://127.0.0.1:${await freePort()}`, CACHE_TIMEOUT_MS: String(CACHE_TIMEOUT_MS) },
    });
    try {
      const id = await insertUser(closed, 'Nowhere');
      for (let i = 0; i < 3; i += 1) expect((await read(closed, id)).displayName).toBe('Nowhere');
      await rename(id, 'Still nowhere');
      expect((await read(closed, id)).displayName).toBe('Still nowhere');
    } finally {
      await closed.close();
    }
  });
});

describe.skipIf(process.env.CACHE_ENABLED === 'false')('every cached procedure with its cache Redis hung', () => {
  let realProxy: TcpProxy;
  let real: TestApi;
  beforeAll(async () => {
    realProxy = await startTcpProxy(scratch.port);
    real = await startTestApi({
      shareWith: api,
      env: { CACHE_REDIS_URL: realProxy.url, CACHE_TIMEOUT_MS: String(CACHE_TIMEOUT_MS) },
    });
  });
  afterAll(async () => {
    await real?.close();
    await realProxy?.close();
  });

  it('answers each one correctly from PostgreSQL within the budget', async () => {
    const author = await createSignedInUser(real);
    const writer = trpcClient(real, author, { batch: false });
    const post = await writer.posts.create.mutate({ title: 'Hung', body: 'Body', tags: ['hung'] });
    const comment = await writer.posts.comments.create.mutate({ postId: post.id, body: 'A comment' });
    await writer.posts.like.mutate({ id: post.id });

    const anonymous = trpcClient(real, null, { batch: false });
    const reads: Record<string, (client: typeof anonymous) => Promise<unknown>> = {
      'posts.list': (client) => client.posts.list.query({}),
      'posts.byId': (client) => client.posts.byId.query({ id: post.id }),
      'posts.tags': (client) => client.posts.tags.query({}),
      'posts.comments.list': (client) => client.posts.comments.list.query({ postId: post.id }),
      'posts.comments.thread': (client) => client.posts.comments.thread.query({ id: comment.id }),
      'users.list': (client) => client.users.list.query({}),
      'users.byId': (client) => client.users.byId.query({ id: author.userId }),
      'users.byUsername': (client) => client.users.byUsername.query({ username: author.username }),
      'users.posts': (client) => client.users.posts.query({ id: author.userId }),
    };
    const healthy = new Map<string, unknown>();
    for (const [name, read] of Object.entries(reads)) {
      await read(anonymous);
      healthy.set(name, await read(anonymous)); // a hit
    }
    const personal = await trpcClient(real, author, { batch: false }).posts.byId.query({ id: post.id });
    expect(personal.likedByMe).toBe(true);

    realProxy.setMode('blackhole');
    for (const [name, read] of Object.entries(reads)) {
      const started = performance.now();
      expect(await read(anonymous), name).toEqual(healthy.get(name));
      expect(performance.now() - started, name).toBeLessThan(ANSWER_BUDGET_MS);
    }
    expect((await trpcClient(real, author, { batch: false }).posts.byId.query({ id: post.id })).likedByMe).toBe(true);
    realProxy.setMode('pass');
  });
});
