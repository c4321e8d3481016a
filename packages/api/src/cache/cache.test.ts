import { randomUUID } from 'node:crypto';
import { waitFor } from '@inkwell/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalContext } from '../context.js';
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
import { createCallerFactory } from '../trpc.js';

const probe: ProfileProbe = { loads: 0, hold: null };
const testRouter = cacheTestRouter(probe);
const createCaller = createCallerFactory(testRouter);

let api: TestApi;
/** A second instance on the same database and Redis prefix (another api process). */
let other: TestApi;

// Not a Redis failure test: a generous command budget, so event-loop lag on a busy machine is
// not taken for a Redis failure (which would rightly send reads to PostgreSQL).
const env = { CACHE_TIMEOUT_MS: '2000' };

beforeAll(async () => {
  api = await startTestApi({ router: testRouter, fastPathRoutes: cacheTestFastPathRoutes, env });
  other = await startTestApi({ shareWith: api, router: testRouter, fastPathRoutes: cacheTestFastPathRoutes, env });
});
afterAll(async () => {
  await other?.close();
  await api?.close();
});

const profileUrl = (on: TestApi, id: string) =>
  `${on.url}/trpc/profile?input=${encodeURIComponent(JSON.stringify({ id }))}`;

async function getProfile(on: TestApi, id: string, headers: Record<string, string> = {}): Promise<Profile> {
  const response = await fetch(profileUrl(on, id), { headers });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { data: Profile } };
  return body.result.data;
}

async function rename(on: TestApi, id: string, displayName: string): Promise<void> {
  const response = await fetch(`${on.url}/trpc/rename`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, displayName }),
  });
  expect(response.status).toBe(200);
}

const loadsMetric = (on: TestApi) => counterValue(on.deps.metrics.registry, 'inkwell_cache_loads_total');
const fastHits = (on: TestApi) => counterValue(on.deps.metrics.registry, 'inkwell_cache_fast_path_hits_total');

describe.skipIf(process.env.CACHE_ENABLED === 'false')('query cache', () => {
  it('answers a repeated read from Redis without loading again', async () => {
    const id = await insertUser(api, 'Ada');
    const before = probe.loads;
    expect((await getProfile(api, id)).displayName).toBe('Ada');
    expect(await getProfile(api, id)).toEqual(await getProfile(api, id));
    expect(probe.loads - before).toBe(1);
    expect(
      await counterValue(api.deps.metrics.registry, 'inkwell_cache_requests_total', { result: 'hit' }),
    ).toBeGreaterThan(0);
  });

  it('returns the new data after a write, on the instance that wrote and on another', async () => {
    const id = await insertUser(api, 'Before');
    expect((await getProfile(api, id)).displayName).toBe('Before');
    expect((await getProfile(other, id)).displayName).toBe('Before');

    await rename(api, id, 'After one');
    expect((await getProfile(api, id)).displayName).toBe('After one');
    expect((await getProfile(other, id)).displayName).toBe('After one');

    await rename(other, id, 'After two');
    expect((await getProfile(api, id)).displayName).toBe('After two');
    expect((await getProfile(other, id)).displayName).toBe('After two');
  });

  it('loads once for 200 concurrent identical requests on a cold key', async () => {
    const id = await insertUser(api, 'Crowd');
    const loadsBefore = probe.loads;
    const metricBefore = await loadsMetric(api);
    const errorsBefore = await counterValue(api.deps.metrics.registry, 'inkwell_cache_requests_total', {
      result: 'error',
    });
    const answers = await Promise.all(Array.from({ length: 200 }, () => getProfile(api, id)));
    // A read that failed goes to PostgreSQL alone (it cannot tell whether a load in flight is fresh).
    expect(
      (await counterValue(api.deps.metrics.registry, 'inkwell_cache_requests_total', { result: 'error' })) -
        errorsBefore,
    ).toBe(0);
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.displayName).toBe('Crowd');
    expect(probe.loads - loadsBefore).toBe(1);
    expect((await loadsMetric(api)) - metricBefore).toBe(1);
  });

  it('neither stores nor shares a load that overlapped a write from another instance', async () => {
    const id = await insertUser(api, 'Old');
    let release = () => {};
    probe.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loadsBefore = probe.loads;
    const early = getProfile(api, id);
    await waitFor(() => probe.loads > loadsBefore, 5_000, 5);
    probe.hold = null;

    // Written and invalidated through the other instance while `early` is still loading.
    await rename(other, id, 'New');
    // Must not join the load in flight: it began before the write.
    expect((await getProfile(api, id)).displayName).toBe('New');

    release();
    expect((await early).displayName).toBe('Old');
    // The overlapping load was not stored over the fresh entry.
    expect((await getProfile(api, id)).displayName).toBe('New');
    expect((await getProfile(other, id)).displayName).toBe('New');
  });

  it('keeps viewer-specific fields out of the shared entry', async () => {
    const owner = await createSignedInUser(api);
    const stranger = await createSignedInUser(api);
    const id = owner.userId;
    const fastBefore = await fastHits(api);

    // Miss as the owner: loaded as nobody, personalized after.
    expect((await getProfile(api, id, owner.authHeader)).isMe).toBe(true);
    expect((await getProfile(api, id)).isMe).toBe(false); // anonymous: the entry, via the fast path
    expect((await getProfile(api, id, stranger.authHeader)).isMe).toBe(false);
    expect((await getProfile(other, id, stranger.authHeader)).isMe).toBe(false);
    expect((await getProfile(other, id, owner.authHeader)).isMe).toBe(true); // hit on another instance
    expect((await getProfile(api, id)).isMe).toBe(false);
    // Only the two anonymous reads were answered by the fast path.
    expect((await fastHits(api)) - fastBefore).toBe(2);

    const asOwner = createCaller(
      createInternalContext(api.deps, { userId: id, sessionId: randomUUID(), role: 'user', emailVerified: true }),
    );
    expect((await asOwner.profile({ id })).isMe).toBe(true);

    const redis = new Redis(api.config.cache.redisUrl);
    try {
      const entry = await redis.get(api.deps.cache.keys.entry('profile', { id }));
      expect(entry).toContain('"isMe":false');
      expect(entry).not.toContain('"isMe":true');
    } finally {
      redis.disconnect();
    }
  });

  it('gives each request that shared a failed load its own error', async () => {
    const missing = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, async (_, index) => {
        const response = await fetch(profileUrl(api, missing), { headers: { 'x-request-id': `nf-${index}` } });
        return { status: response.status, body: (await response.json()) as { error: { data: { requestId: string } } } };
      }),
    );
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(404);
      expect(answer.body.error.data.requestId).toBe(`nf-${index}`);
    });
  });
});

describe.skipIf(process.env.CACHE_ENABLED === 'false')('fast path', () => {
  const transportHeaders = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-request-id'];
  const comparable = (headers: Headers) =>
    Object.fromEntries([...headers.entries()].filter(([name]) => !transportHeaders.includes(name)));

  it('answers an anonymous hit with the bytes and headers of the tRPC adapter', async () => {
    const id = await insertUser(api, 'Bytes <é> "quoted"\nline');
    const url = profileUrl(api, id);
    const miss = await fetch(url);
    const missBody = await miss.text();

    const hitsBefore = await fastHits(api);
    const fast = await fetch(url, { headers: { 'x-request-id': 'fast-1' } });
    const fastBody = await fast.text();
    expect(await fastHits(api)).toBe(hitsBefore + 1);
    // A cookie sends the same request through express and the adapter (a hit inside the procedure).
    const adapter = await fetch(url, { headers: { cookie: 'unrelated=1' } });
    const adapterBody = await adapter.text();
    expect(await fastHits(api)).toBe(hitsBefore + 1);

    expect(fastBody).toBe(missBody);
    expect(fastBody).toBe(adapterBody);
    expect(fast.status).toBe(200);
    expect(comparable(fast.headers)).toEqual(comparable(adapter.headers));
    expect(fast.headers.get('x-request-id')).toBe('fast-1');
    expect(adapter.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers REST GETs of the same entry with the bare payload', async () => {
    const id = await insertUser(api, 'Rest');
    const trpcBody = (await (await fetch(profileUrl(api, id))).json()) as { result: { data: Profile } };
    const hitsBefore = await fastHits(api);
    const rest = await fetch(`${api.url}/api/test-profiles/${id}`);
    expect(rest.status).toBe(200);
    expect(await rest.text()).toBe(JSON.stringify(trpcBody.result.data));
    expect(await fastHits(api)).toBe(hitsBefore + 1);
  });

  it('leaves credentials, cookies, CORS, trpc-accept, batches, POSTs and odd queries to express', async () => {
    const id = await insertUser(api, 'Elsewhere');
    const viewer = await createSignedInUser(api);
    await getProfile(api, id); // warm
    const hitsBefore = await fastHits(api);
    const input = encodeURIComponent(JSON.stringify({ id }));
    const batchInput = encodeURIComponent(JSON.stringify({ 0: { id } }));
    const requests: [string, RequestInit][] = [
      [profileUrl(api, id), { headers: viewer.authHeader }],
      [profileUrl(api, id), { headers: { cookie: 'a=b' } }],
      [profileUrl(api, id), { headers: { origin: 'http://example.test' } }],
      [profileUrl(api, id), { headers: { 'trpc-accept': 'application/json' } }],
      [`${api.url}/trpc/profile?batch=1&input=${batchInput}`, {}],
      [`${api.url}/trpc/profile?input=${input}&x=1`, {}],
    ];
    for (const [url, init] of requests) {
      const response = await fetch(url, init);
      expect(response.status, url).toBe(200);
      expect(JSON.stringify(await response.json())).toContain('Elsewhere');
    }
    const post = await fetch(`${api.url}/trpc/profile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });
    expect(post.status).toBe(405);
    expect(await fastHits(api)).toBe(hitsBefore);
  });

  it('falls through on a miss and on invalid input', async () => {
    const id = await insertUser(api, 'Cold');
    const hitsBefore = await fastHits(api);
    expect((await getProfile(api, id)).displayName).toBe('Cold');
    const invalid = await fetch(profileUrl(api, 'not-a-uuid'));
    expect(invalid.status).toBe(400);
    expect(await fastHits(api)).toBe(hitsBefore);
  });
});

describe('query cache turned off', () => {
  let off: TestApi;
  beforeAll(async () => {
    off = await startTestApi({
      shareWith: api,
      router: testRouter,
      fastPathRoutes: cacheTestFastPathRoutes,
      env: { CACHE_ENABLED: 'false' },
    });
  });
  afterAll(async () => {
    await off?.close();
  });

  it('loads every read from PostgreSQL and still personalizes', async () => {
    const id = await insertUser(off, 'Uncached');
    const before = probe.loads;
    expect((await getProfile(off, id)).displayName).toBe('Uncached');
    expect((await getProfile(off, id)).displayName).toBe('Uncached');
    expect(probe.loads - before).toBe(2);
    await rename(off, id, 'Renamed');
    expect((await getProfile(off, id)).displayName).toBe('Renamed');
    const asOwner = createCaller(
      createInternalContext(off.deps, { userId: id, sessionId: randomUUID(), role: 'user', emailVerified: true }),
    );
    expect((await asOwner.profile({ id })).isMe).toBe(true);
    expect(await fastHits(off)).toBe(0);
    expect(await counterValue(off.deps.metrics.registry, 'inkwell_cache_requests_total')).toBe(0);
  });
});
