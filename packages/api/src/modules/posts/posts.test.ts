import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, errorCode, type InsertedUser, insertPosts, insertUser } from '../../test/content-fixtures.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

describe('posts', () => {
  let api: TestApi;
  let alice: InsertedUser;
  let bob: InsertedUser;
  let admin: InsertedUser;
  let unverified: InsertedUser;

  beforeAll(async () => {
    api = await startTestApi();
    const em = api.deps.orm.em.fork();
    alice = await insertUser(em, { username: 'alice' });
    bob = await insertUser(em, { username: 'bob' });
    admin = await insertUser(em, { username: 'root', role: 'admin' });
    unverified = await insertUser(em, { username: 'newbie', verified: false });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates a post, stores title and body exactly as given and normalizes tags', async () => {
    const title = '<script>alert("x")</script> & "quotes"  ';
    const body = '# Heading\n\n<img src=x onerror=alert(1)>\n\n  trailing spaces  ';
    const post = await callerFor(api, alice.viewer).posts.create({ title, body, tags: ['TypeScript', 'db', 'db'] });
    expect(post).toEqual({
      id: expect.any(String),
      title,
      body,
      tags: ['db', 'typescript'],
      author: { id: alice.id, username: 'alice', displayName: 'Display alice' },
      likeCount: 0,
      commentCount: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      likedByMe: false,
    });
    const read = await callerFor(api).posts.byId({ id: post.id });
    expect(read.title).toBe(title);
    expect(read.body).toBe(body);
    expect(Object.keys(read.author).sort()).toEqual(['displayName', 'id', 'username']);
  });

  it('rejects inputs over their maximum lengths and malformed tags', async () => {
    const caller = callerFor(api, alice.viewer);
    expect(await errorCode(caller.posts.create({ title: 'x'.repeat(201), body: 'b' }))).toBe('BAD_REQUEST');
    expect(await errorCode(caller.posts.create({ title: 't', body: 'b'.repeat(50_001) }))).toBe('BAD_REQUEST');
    const elevenTags = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(await errorCode(caller.posts.create({ title: 't', body: 'b', tags: elevenTags }))).toBe('BAD_REQUEST');
    expect(await errorCode(caller.posts.create({ title: 't', body: 'b', tags: ['-dash'] }))).toBe('BAD_REQUEST');
    expect(await errorCode(caller.posts.create({ title: 't', body: 'b', tags: ['a'.repeat(41)] }))).toBe('BAD_REQUEST');
    expect(await errorCode(caller.posts.create({ title: 't', body: 'b', tags: ['has space'] }))).toBe('BAD_REQUEST');
    // the limits themselves are accepted
    const ok = await caller.posts.create({ title: 'x'.repeat(200), body: 'b'.repeat(50_000), tags: ['a'.repeat(40)] });
    expect(ok.title.length).toBe(200);
    expect(ok.body.length).toBe(50_000);
  });

  it('anonymous callers cannot write; unverified users get FORBIDDEN', async () => {
    expect(await errorCode(callerFor(api).posts.create({ title: 't', body: 'b' }))).toBe('UNAUTHORIZED');
    expect(await errorCode(callerFor(api, unverified.viewer).posts.create({ title: 't', body: 'b' }))).toBe(
      'FORBIDDEN',
    );
    const [postId] = await insertPosts(api.deps.orm.em.fork(), alice.id, 1);
    expect(await errorCode(callerFor(api, unverified.viewer).posts.like({ id: String(postId) }))).toBe('FORBIDDEN');
  });

  it('owners edit and delete; others get FORBIDDEN; admins delete but do not edit; missing is NOT_FOUND', async () => {
    const post = await callerFor(api, alice.viewer).posts.create({ title: 'Mine', body: 'text', tags: ['one'] });
    const asBob = callerFor(api, bob.viewer);
    const asAdmin = callerFor(api, admin.viewer);
    expect(await errorCode(asBob.posts.update({ id: post.id, title: 'Hijacked' }))).toBe('FORBIDDEN');
    expect(await errorCode(asBob.posts.delete({ id: post.id }))).toBe('FORBIDDEN');
    expect(await errorCode(asAdmin.posts.update({ id: post.id, title: 'Moderated' }))).toBe('FORBIDDEN');
    expect((await callerFor(api).posts.byId({ id: post.id })).title).toBe('Mine');

    const updated = await callerFor(api, alice.viewer).posts.update({ id: post.id, title: 'Mine, edited', tags: [] });
    expect(updated).toMatchObject({ title: 'Mine, edited', body: 'text', tags: [] });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(post.updatedAt));
    expect(await errorCode(callerFor(api, alice.viewer).posts.update({ id: post.id }))).toBe('BAD_REQUEST');

    expect(await asAdmin.posts.delete({ id: post.id })).toEqual({ id: post.id, deleted: true });
    expect(await errorCode(callerFor(api).posts.byId({ id: post.id }))).toBe('NOT_FOUND');
    expect(await errorCode(callerFor(api, alice.viewer).posts.delete({ id: post.id }))).toBe('NOT_FOUND');
    expect(await errorCode(callerFor(api, alice.viewer).posts.update({ id: post.id, body: 'x' }))).toBe('NOT_FOUND');

    const own = await callerFor(api, bob.viewer).posts.create({ title: 'Bye', body: 'b' });
    expect(await callerFor(api, bob.viewer).posts.delete({ id: own.id })).toEqual({ id: own.id, deleted: true });
  });

  describe('list', () => {
    let author: InsertedUser;
    let ids: string[];

    beforeAll(async () => {
      const em = api.deps.orm.em.fork();
      author = await insertUser(em, { username: 'prolific' });
      ids = await insertPosts(em, author.id, 45, ['listed']);
    });

    it('walks every page with keyset cursors, newest first, without gaps or repeats', async () => {
      const caller = callerFor(api);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const result = await caller.posts.list({ author: author.id, limit: 20, ...(cursor ? { cursor } : {}) });
        seen.push(...result.items.map((post) => post.id));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(ids);
    });

    it('filters by tag and full text, and sorts by likes', async () => {
      const caller = callerFor(api);
      const tagged = await caller.posts.list({ tag: 'LISTED', limit: 100 });
      expect(tagged.items.map((post) => post.id)).toEqual(ids);
      expect(tagged.items.every((post) => post.tags.includes('listed'))).toBe(true);

      const searchable = await callerFor(api, alice.viewer).posts.create({
        title: 'Sourdough hydration explained',
        body: 'Flour and water ratios for bakers.',
      });
      const found = await caller.posts.list({ q: 'hydration bakers' });
      expect(found.items.map((post) => post.id)).toEqual([searchable.id]);
      expect((await caller.posts.list({ q: 'hydration -bakers' })).items).toEqual([]);

      const [first, second] = ids;
      await callerFor(api, alice.viewer).posts.like({ id: String(second) });
      await callerFor(api, bob.viewer).posts.like({ id: String(second) });
      await callerFor(api, alice.viewer).posts.like({ id: String(first) });
      const top = await caller.posts.list({ author: author.id, sort: 'top', limit: 2 });
      expect(top.items.map((post) => [post.id, post.likeCount])).toEqual([
        [second, 2],
        [first, 1],
      ]);
      const rest = await caller.posts.list({
        author: author.id,
        sort: 'top',
        limit: 100,
        cursor: String(top.nextCursor),
      });
      expect(rest.items).toHaveLength(ids.length - 2);
      expect(rest.items.map((post) => post.id)).not.toContain(first);
      expect(rest.nextCursor).toBeNull();
    });

    it('answers a bad cursor or limit with BAD_REQUEST', async () => {
      const caller = callerFor(api);
      expect(await errorCode(caller.posts.list({ cursor: 'not-a-cursor' }))).toBe('BAD_REQUEST');
      const forged = Buffer.from(JSON.stringify({ sort: 'new', at: 'yesterday', id: 'x' })).toString('base64url');
      expect(await errorCode(caller.posts.list({ cursor: forged }))).toBe('BAD_REQUEST');
      const page = await caller.posts.list({ limit: 1 });
      expect(await errorCode(caller.posts.list({ sort: 'top', cursor: String(page.nextCursor) }))).toBe('BAD_REQUEST');
      expect(await errorCode(caller.posts.list({ limit: 101 }))).toBe('BAD_REQUEST');
      expect(await errorCode(caller.posts.list({ limit: 0 }))).toBe('BAD_REQUEST');
    });

    it('resolves likedByMe for the viewer and false for anonymous callers', async () => {
      // alice liked the two newest posts in the previous test, bob only the second
      const [liked, likedByBoth] = ids;
      const mine = await callerFor(api, alice.viewer).posts.list({ author: author.id, limit: 3 });
      expect(mine.items.map((post) => post.likedByMe)).toEqual([true, true, false]);
      const bobs = await callerFor(api, bob.viewer).posts.list({ author: author.id, limit: 3 });
      expect(bobs.items.map((post) => [post.id, post.likedByMe])).toEqual([
        [liked, false],
        [likedByBoth, true],
        [ids[2], false],
      ]);
      const anonymous = await callerFor(api).posts.list({ author: author.id, limit: 3 });
      expect(anonymous.items.every((post) => post.likedByMe === false)).toBe(true);
      expect((await callerFor(api, alice.viewer).posts.byId({ id: String(liked) })).likedByMe).toBe(true);
      expect((await callerFor(api, bob.viewer).posts.byId({ id: String(liked) })).likedByMe).toBe(false);
    });

    it('lists popular tags with counts', async () => {
      const { items } = await callerFor(api).posts.tags({ limit: 5 });
      expect(items[0]).toEqual({ name: 'listed', postCount: 45 });
      expect(items.length).toBeLessThanOrEqual(5);
    });
  });
});
