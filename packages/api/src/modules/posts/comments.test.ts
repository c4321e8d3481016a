import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, errorCode, type InsertedUser, insertPosts, insertUser } from '../../test/content-fixtures.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

const MISSING = '01890000-0000-7000-8000-000000000000';

describe('comments', () => {
  let api: TestApi;
  let alice: InsertedUser;
  let bob: InsertedUser;
  let admin: InsertedUser;

  async function newPost(): Promise<string> {
    const [id = ''] = await insertPosts(api.deps.orm.em.fork(), alice.id, 1);
    return id;
  }

  async function counters(postId: string) {
    const [row] = await api.deps.orm.em.fork().execute<{ counter: number; live: number }[]>(
      `select comment_count as counter,
              (select count(*)::int from comments where post_id = p.id and deleted_at is null) as live
       from posts p where id = ?`,
      [postId],
    );
    return row;
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = api.deps.orm.em.fork();
    alice = await insertUser(em, { username: 'alice' });
    bob = await insertUser(em, { username: 'bob' });
    admin = await insertUser(em, { username: 'root', role: 'admin' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('builds threads of any depth and returns them in display order with depths', async () => {
    const postId = await newPost();
    const asAlice = callerFor(api, alice.viewer).posts.comments;
    const asBob = callerFor(api, bob.viewer).posts.comments;
    const a = await asAlice.create({ postId, body: 'A' });
    const b = await asBob.create({ postId, body: 'B' });
    const a1 = await asBob.create({ postId, parentId: a.id, body: 'A.1' });
    const a1x = await asAlice.create({ postId, parentId: a1.id, body: 'A.1.x' });
    const a1xy = await asBob.create({ postId, parentId: a1x.id, body: 'A.1.x.y' });
    const a2 = await asAlice.create({ postId, parentId: a.id, body: 'A.2' });
    const b1 = await asAlice.create({ postId, parentId: b.id, body: '<b>B.1</b>' });
    expect(a1xy).toMatchObject({ depth: 3, parentId: a1x.id, postId, deleted: false });
    expect(b1.body).toBe('<b>B.1</b>');

    const all = await callerFor(api).posts.comments.list({ postId, scope: 'all' });
    expect(all.items.map((c) => [c.body, c.depth])).toEqual([
      ['A', 0],
      ['A.1', 1],
      ['A.1.x', 2],
      ['A.1.x.y', 3],
      ['A.2', 1],
      ['B', 0],
      ['<b>B.1</b>', 1],
    ]);
    expect(all.nextCursor).toBeNull();
    expect(all.items[1]?.author).toEqual({ id: bob.id, username: 'bob', displayName: 'Display bob' });

    const subtree = await callerFor(api).posts.comments.thread({ id: a1.id });
    expect(subtree.items.map((c) => [c.id, c.depth])).toEqual([
      [a1.id, 1],
      [a1x.id, 2],
      [a1xy.id, 3],
    ]);
    expect((await callerFor(api).posts.byId({ id: postId })).commentCount).toBe(7);
    expect(a2.depth).toBe(1);
  });

  it('paginates top-level comments, each page carrying all their replies', async () => {
    const postId = await newPost();
    const asAlice = callerFor(api, alice.viewer).posts.comments;
    const roots: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const root = await asAlice.create({ postId, body: `root ${i}` });
      roots.push(root.id);
      const reply = await asAlice.create({ postId, parentId: root.id, body: `reply ${i}` });
      await asAlice.create({ postId, parentId: reply.id, body: `reply to reply ${i}` });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await callerFor(api).posts.comments.list({ postId, limit: 2, ...(cursor ? { cursor } : {}) });
      pages += 1;
      expect(page.items.filter((c) => c.depth === 0).length).toBeLessThanOrEqual(2);
      expect(page.items.length).toBe(page.items.filter((c) => c.depth === 0).length * 3);
      seen.push(...page.items.filter((c) => c.depth === 0).map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(roots);
    expect(await errorCode(callerFor(api).posts.comments.list({ postId, cursor: 'garbage' }))).toBe('BAD_REQUEST');
  });

  it('deleting a comment with replies leaves a tombstone; a leaf is removed; tombstones without replies go', async () => {
    const postId = await newPost();
    const asAlice = callerFor(api, alice.viewer).posts.comments;
    const asBob = callerFor(api, bob.viewer).posts.comments;
    const parent = await asAlice.create({ postId, body: 'parent' });
    const child = await asBob.create({ postId, parentId: parent.id, body: 'child' });
    const sibling = await asBob.create({ postId, body: 'sibling' });
    expect(await counters(postId)).toEqual({ counter: 3, live: 3 });

    expect(await asAlice.delete({ id: parent.id })).toEqual({ id: parent.id, deleted: true });
    const thread = await callerFor(api).posts.comments.list({ postId, scope: 'all' });
    expect(thread.items.map((c) => c.id)).toEqual([parent.id, child.id, sibling.id]);
    expect(thread.items[0]).toMatchObject({ deleted: true, body: null, author: null, depth: 0 });
    expect(thread.items[1]).toMatchObject({ deleted: false, body: 'child', parentId: parent.id, depth: 1 });
    expect(await counters(postId)).toEqual({ counter: 2, live: 2 });

    // a tombstone can be neither edited, deleted again, nor replied to
    expect(await errorCode(asAlice.update({ id: parent.id, body: 'back' }))).toBe('NOT_FOUND');
    expect(await errorCode(asAlice.delete({ id: parent.id }))).toBe('NOT_FOUND');
    expect(await errorCode(asAlice.create({ postId, parentId: parent.id, body: 'hi' }))).toBe('NOT_FOUND');

    // the last reply goes, and with it the tombstone it kept alive
    await asBob.delete({ id: child.id });
    const after = await callerFor(api).posts.comments.list({ postId, scope: 'all' });
    expect(after.items.map((c) => c.id)).toEqual([sibling.id]);
    expect(await counters(postId)).toEqual({ counter: 1, live: 1 });
  });

  it('concurrent deletes of a tombstone’s last two replies leave no orphan tombstone', async () => {
    const asAlice = callerFor(api, alice.viewer).posts.comments;
    const asBob = callerFor(api, bob.viewer).posts.comments;
    for (let round = 0; round < 10; round += 1) {
      const postId = await newPost();
      const parent = await asAlice.create({ postId, body: 'parent' });
      const first = await asBob.create({ postId, parentId: parent.id, body: 'first' });
      const second = await asBob.create({ postId, parentId: parent.id, body: 'second' });
      await asAlice.delete({ id: parent.id });
      await Promise.all([asBob.delete({ id: first.id }), asBob.delete({ id: second.id })]);
      expect((await callerFor(api).posts.comments.list({ postId, scope: 'all' })).items).toEqual([]);
      expect(await counters(postId)).toEqual({ counter: 0, live: 0 });
    }
  });

  it('owners edit and delete; others get FORBIDDEN; admins delete but do not edit', async () => {
    const postId = await newPost();
    const comment = await callerFor(api, alice.viewer).posts.comments.create({ postId, body: 'original' });
    const asBob = callerFor(api, bob.viewer).posts.comments;
    const asAdmin = callerFor(api, admin.viewer).posts.comments;
    expect(await errorCode(asBob.update({ id: comment.id, body: 'hijacked' }))).toBe('FORBIDDEN');
    expect(await errorCode(asBob.delete({ id: comment.id }))).toBe('FORBIDDEN');
    expect(await errorCode(asAdmin.update({ id: comment.id, body: 'moderated' }))).toBe('FORBIDDEN');
    const edited = await callerFor(api, alice.viewer).posts.comments.update({ id: comment.id, body: 'edited' });
    expect(edited).toMatchObject({ id: comment.id, body: 'edited', depth: 0 });
    expect(await asAdmin.delete({ id: comment.id })).toEqual({ id: comment.id, deleted: true });
    expect(await errorCode(callerFor(api).posts.comments.thread({ id: comment.id }))).toBe('NOT_FOUND');
  });

  it('validates posts, parents and lengths', async () => {
    const postId = await newPost();
    const otherPost = await newPost();
    const asAlice = callerFor(api, alice.viewer).posts.comments;
    const elsewhere = await asAlice.create({ postId: otherPost, body: 'elsewhere' });
    expect(await errorCode(asAlice.create({ postId: MISSING, body: 'x' }))).toBe('NOT_FOUND');
    expect(await errorCode(asAlice.create({ postId, parentId: MISSING, body: 'x' }))).toBe('NOT_FOUND');
    expect(await errorCode(asAlice.create({ postId, parentId: elsewhere.id, body: 'x' }))).toBe('BAD_REQUEST');
    expect(await errorCode(asAlice.create({ postId, body: 'x'.repeat(10_001) }))).toBe('BAD_REQUEST');
    expect(await errorCode(asAlice.create({ postId, body: '' }))).toBe('BAD_REQUEST');
    expect((await asAlice.create({ postId, body: 'x'.repeat(10_000) })).body?.length).toBe(10_000);
    expect(await errorCode(callerFor(api).posts.comments.list({ postId: MISSING }))).toBe('NOT_FOUND');
    expect(await errorCode(callerFor(api).posts.comments.create({ postId, body: 'anon' }))).toBe('UNAUTHORIZED');
  });

  it('deleting a post removes its comments', async () => {
    const postId = await newPost();
    const comment = await callerFor(api, bob.viewer).posts.comments.create({ postId, body: 'soon gone' });
    await callerFor(api, alice.viewer).posts.delete({ id: postId });
    expect(await errorCode(callerFor(api).posts.comments.thread({ id: comment.id }))).toBe('NOT_FOUND');
  });
});
