import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser, type SignedInUser } from '../test/auth-helpers.js';
import { counterValue } from '../test/cache-fixtures.js';
import { startTestApi, type TestApi } from '../test/harness.js';
import { httpFailure, trpcClient } from '../test/trpc-client.js';

/*
 * Every kind of write, made on one api instance, is seen by the next read on the other one
 * (and on the writer), for every cached procedure that shows what it changed. Each read below
 * is first made once before the write, so it is a cache entry (or would be a stale one).
 */

/** Unbatched clients: one GET per read, so anonymous posts.byId reads take the fast path. */
const anonymous = (on: TestApi) => trpcClient(on, null, { batch: false });
const as = (on: TestApi, user: SignedInUser) => trpcClient(on, user, { batch: false });

// With the cache off the same writes and reads must give the same answers (the suite also runs
// whole with CACHE_ENABLED=false: `pnpm test:cache-off`).
describe.each<{ cache: string; env: Record<string, string> }>([
  { cache: 'on', env: {} },
  { cache: 'off', env: { CACHE_ENABLED: 'false' } },
])('cache $cache: a read after a write sees the write, on every instance', ({ env }) => {
  let api: TestApi;
  let other: TestApi;
  let author: SignedInUser;
  let admin: SignedInUser;
  let reader: SignedInUser;

  beforeAll(async () => {
    api = await startTestApi({ env });
    other = await startTestApi({ shareWith: api, env });
    author = await createSignedInUser(api);
    admin = await createSignedInUser(api, { role: 'admin' });
    reader = await createSignedInUser(api);
  });
  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  /** The same read on both instances, both times (before and after the write). */
  async function onBoth<T>(read: (on: TestApi) => Promise<T>): Promise<[T, T]> {
    return [await read(api), await read(other)];
  }

  let postId: string;
  let commentId: string;
  let replyId: string;

  it('posts.create → posts.list, users.posts, posts.tags', async () => {
    const before = await onBoth((on) => anonymous(on).posts.list.query({}));
    await onBoth((on) => anonymous(on).users.posts.query({ id: author.userId }));
    await onBoth((on) => anonymous(on).posts.tags.query({}));

    const post = await as(other, author).posts.create.mutate({ title: 'Fresh', body: 'Body', tags: ['fresh-tag'] });
    postId = post.id;

    for (const page of await onBoth((on) => anonymous(on).posts.list.query({}))) {
      expect(page.items[0]?.id).toBe(postId);
      expect(page.items.length).toBe(before[0].items.length + 1);
    }
    for (const page of await onBoth((on) => anonymous(on).users.posts.query({ id: author.userId }))) {
      expect(page.items.map((item) => item.id)).toEqual([postId]);
    }
    for (const tags of await onBoth((on) => anonymous(on).posts.tags.query({}))) {
      expect(tags.items).toContainEqual({ name: 'fresh-tag', postCount: 1 });
    }
  });

  it('posts.update → posts.byId (fast path), posts.list, posts.tags', async () => {
    await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }));
    await onBoth((on) => anonymous(on).posts.byId.query({ id: postId })); // now a fast-path hit
    await as(api, author).posts.update.mutate({ id: postId, title: 'Edited', tags: ['other-tag'] });

    for (const post of await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }))) {
      expect(post.title).toBe('Edited');
      expect(post.tags).toEqual(['other-tag']);
    }
    for (const page of await onBoth((on) => anonymous(on).posts.list.query({}))) {
      expect(page.items[0]?.title).toBe('Edited');
    }
    for (const tags of await onBoth((on) => anonymous(on).posts.tags.query({}))) {
      expect(tags.items.map((tag) => tag.name)).toContain('other-tag');
      expect(tags.items.map((tag) => tag.name)).not.toContain('fresh-tag');
    }
  });

  it('posts.like / posts.unlike → likeCount everywhere, likedByMe only for the liker', async () => {
    await onBoth((on) => anonymous(on).posts.list.query({ sort: 'top' }));
    await as(other, reader).posts.like.mutate({ id: postId });

    for (const post of await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }))) {
      expect(post.likeCount).toBe(1);
      expect(post.likedByMe).toBe(false);
    }
    for (const post of await onBoth((on) => as(on, reader).posts.byId.query({ id: postId }))) {
      expect(post.likedByMe).toBe(true);
    }
    for (const post of await onBoth((on) => as(on, author).posts.byId.query({ id: postId }))) {
      expect(post.likedByMe).toBe(false);
    }
    for (const page of await onBoth((on) => anonymous(on).posts.list.query({ sort: 'top' }))) {
      expect(page.items[0]).toMatchObject({ id: postId, likeCount: 1, likedByMe: false });
    }
    for (const page of await onBoth((on) => as(on, reader).posts.list.query({ sort: 'top' }))) {
      expect(page.items[0]).toMatchObject({ id: postId, likedByMe: true });
    }

    await as(api, reader).posts.unlike.mutate({ id: postId });
    for (const post of await onBoth((on) => as(on, reader).posts.byId.query({ id: postId }))) {
      expect(post).toMatchObject({ likeCount: 0, likedByMe: false });
    }
  });

  it('posts.comments.create / update / delete → comments.list, comments.thread, commentCount', async () => {
    await onBoth((on) => anonymous(on).posts.comments.list.query({ postId }));
    const comment = await as(api, reader).posts.comments.create.mutate({ postId, body: 'First' });
    commentId = comment.id;
    for (const page of await onBoth((on) => anonymous(on).posts.comments.list.query({ postId }))) {
      expect(page.items.map((item) => item.body)).toEqual(['First']);
    }
    for (const post of await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }))) {
      expect(post.commentCount).toBe(1);
    }

    await onBoth((on) => anonymous(on).posts.comments.thread.query({ id: commentId }));
    const reply = await as(other, author).posts.comments.create.mutate({ postId, parentId: commentId, body: 'Reply' });
    replyId = reply.id;
    for (const thread of await onBoth((on) => anonymous(on).posts.comments.thread.query({ id: commentId }))) {
      expect(thread.items.map((item) => item.body)).toEqual(['First', 'Reply']);
    }

    await as(api, author).posts.comments.update.mutate({ id: replyId, body: 'Reply, edited' });
    for (const thread of await onBoth((on) => anonymous(on).posts.comments.thread.query({ id: commentId }))) {
      expect(thread.items.map((item) => item.body)).toEqual(['First', 'Reply, edited']);
    }
    for (const page of await onBoth((on) => anonymous(on).posts.comments.list.query({ postId }))) {
      expect(page.items.map((item) => item.body)).toEqual(['First', 'Reply, edited']);
    }

    // With a reply, the deleted comment stays as a tombstone.
    await as(other, reader).posts.comments.delete.mutate({ id: commentId });
    for (const page of await onBoth((on) => anonymous(on).posts.comments.list.query({ postId }))) {
      expect(page.items.map((item) => item.deleted)).toEqual([true, false]);
    }
    for (const post of await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }))) {
      expect(post.commentCount).toBe(1);
    }
  });

  it('users.updateProfile → users.byId, users.byUsername, users.list, embedded authors', async () => {
    await onBoth((on) => anonymous(on).users.byId.query({ id: author.userId }));
    await onBoth((on) => anonymous(on).users.byUsername.query({ username: author.username }));
    await onBoth((on) => anonymous(on).users.list.query({}));
    await onBoth((on) => anonymous(on).posts.list.query({}));
    await onBoth((on) => anonymous(on).posts.comments.list.query({ postId }));

    await as(api, author).users.updateProfile.mutate({ displayName: 'Renamed Author' });

    for (const user of await onBoth((on) => anonymous(on).users.byId.query({ id: author.userId }))) {
      expect(user.displayName).toBe('Renamed Author');
    }
    for (const user of await onBoth((on) => anonymous(on).users.byUsername.query({ username: author.username }))) {
      expect(user.displayName).toBe('Renamed Author');
    }
    for (const page of await onBoth((on) => anonymous(on).users.list.query({}))) {
      expect(page.items.find((user) => user.id === author.userId)?.displayName).toBe('Renamed Author');
    }
    for (const post of await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }))) {
      expect(post.author.displayName).toBe('Renamed Author');
    }
    for (const page of await onBoth((on) => anonymous(on).posts.list.query({}))) {
      expect(page.items.find((post) => post.id === postId)?.author.displayName).toBe('Renamed Author');
    }
    for (const page of await onBoth((on) => anonymous(on).posts.comments.list.query({ postId }))) {
      expect(page.items.find((item) => item.id === replyId)?.author?.displayName).toBe('Renamed Author');
    }
  });

  it('users.setRole → users.byId, users.list', async () => {
    await onBoth((on) => anonymous(on).users.byId.query({ id: reader.userId }));
    await as(other, admin).users.setRole.mutate({ id: reader.userId, role: 'admin' });
    for (const user of await onBoth((on) => anonymous(on).users.byId.query({ id: reader.userId }))) {
      expect(user.role).toBe('admin');
    }
    for (const page of await onBoth((on) => anonymous(on).users.list.query({}))) {
      expect(page.items.find((user) => user.id === reader.userId)?.role).toBe('admin');
    }
  });

  it('auth.register → users.list', async () => {
    await onBoth((on) => anonymous(on).users.list.query({ limit: 100 }));
    await anonymous(other).auth.register.mutate({
      email: `newcomer-${env.CACHE_ENABLED ?? 'on'}@example.com`,
      username: `newcomer_${env.CACHE_ENABLED ?? 'on'}`,
      displayName: 'Newcomer',
      password: 'a long and unusual passphrase 42',
    });
    for (const page of await onBoth((on) => anonymous(on).users.list.query({ limit: 100 }))) {
      expect(page.items.map((user) => user.username)).toContain(`newcomer_${env.CACHE_ENABLED ?? 'on'}`);
    }
  });

  it('posts.delete → posts.byId, posts.list, comments', async () => {
    await onBoth((on) => anonymous(on).posts.byId.query({ id: postId }));
    await as(api, author).posts.delete.mutate({ id: postId });
    for (const on of [api, other]) {
      expect((await httpFailure(anonymous(on).posts.byId.query({ id: postId }))).status).toBe(404);
      expect((await httpFailure(anonymous(on).posts.comments.list.query({ postId }))).status).toBe(404);
      expect((await httpFailure(anonymous(on).posts.comments.thread.query({ id: replyId }))).status).toBe(404);
      const page = await anonymous(on).posts.list.query({});
      expect(page.items.map((item) => item.id)).not.toContain(postId);
      const tags = await anonymous(on).posts.tags.query({});
      expect(tags.items.map((tag) => tag.name)).not.toContain('other-tag');
    }
  });
});

describe.skipIf(process.env.CACHE_ENABLED === 'false')('posts.byId through the fast path', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers an anonymous hit with the same bytes as the tRPC adapter, and never a personal answer', async () => {
    const writer = await createSignedInUser(api);
    const post = await as(api, writer).posts.create.mutate({ title: 'Bytes', body: 'é <b> "q"\n', tags: ['bytes'] });
    await as(api, writer).posts.like.mutate({ id: post.id });
    const url = `${api.url}/trpc/posts.byId?input=${encodeURIComponent(JSON.stringify({ id: post.id }))}`;
    const fastHits = () => counterValue(api.deps.metrics.registry, 'inkwell_cache_fast_path_hits_total');

    const miss = await (await fetch(url)).text();
    const before = await fastHits();
    const fast = await (await fetch(url)).text();
    expect(await fastHits()).toBe(before + 1);
    const viaAdapter = await (await fetch(url, { headers: { cookie: 'unrelated=1' } })).text();
    const personal = await (await fetch(url, { headers: writer.authHeader })).text();
    expect(await fastHits()).toBe(before + 1);

    expect(fast).toBe(miss);
    expect(fast).toBe(viaAdapter);
    expect(JSON.parse(fast)).toMatchObject({ result: { data: { id: post.id, likeCount: 1, likedByMe: false } } });
    expect(JSON.parse(personal)).toMatchObject({ result: { data: { id: post.id, likedByMe: true } } });
  });
  it('answers REST GET /api/posts/{id} with the bytes and headers of the REST adapter', async () => {
    const writer = await createSignedInUser(api);
    const post = await as(api, writer).posts.create.mutate({ title: 'Rest bytes', body: 'ü "x"', tags: [] });
    const url = `${api.url}/api/posts/${post.id}`;
    const fastHits = () => counterValue(api.deps.metrics.registry, 'inkwell_cache_fast_path_hits_total');
    const transport = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-request-id'];
    const comparable = (headers: Headers) =>
      Object.fromEntries([...headers.entries()].filter(([name]) => !transport.includes(name)));

    const miss = await fetch(url);
    const missBody = await miss.text();
    const before = await fastHits();
    const fast = await fetch(url);
    const fastBody = await fast.text();
    expect(await fastHits()).toBe(before + 1);
    const adapter = await fetch(url, { headers: { cookie: 'unrelated=1' } });
    const adapterBody = await adapter.text();
    expect(await fastHits()).toBe(before + 1);

    expect(fast.status).toBe(200);
    expect(fastBody).toBe(missBody);
    expect(fastBody).toBe(adapterBody);
    expect(comparable(fast.headers)).toEqual(comparable(adapter.headers));
    expect(JSON.parse(fastBody)).toMatchObject({ id: post.id, title: 'Rest bytes', likedByMe: false });
  });
});
