import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, errorCode, type InsertedUser, insertPosts, insertUser } from '../../test/content-fixtures.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

describe('likes', () => {
  let api: TestApi;
  let author: InsertedUser;
  let fan: InsertedUser;

  async function truth(postId: string): Promise<{ counter: number; likes: number }> {
    const [row] = await api.deps.orm.em
      .fork()
      .execute<{ counter: number; likes: number }[]>(
        'select like_count as counter, (select count(*)::int from post_likes where post_id = p.id) as likes from posts p where id = ?',
        [postId],
      );
    if (!row) throw new Error('post vanished');
    return row;
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = api.deps.orm.em.fork();
    author = await insertUser(em);
    fan = await insertUser(em);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('like and unlike are idempotent', async () => {
    const [postId = ''] = await insertPosts(api.deps.orm.em.fork(), author.id, 1);
    const caller = callerFor(api, fan.viewer);
    expect(await caller.posts.like({ id: postId })).toEqual({ postId, likedByMe: true, likeCount: 1 });
    expect(await caller.posts.like({ id: postId })).toEqual({ postId, likedByMe: true, likeCount: 1 });
    expect(await caller.posts.unlike({ id: postId })).toEqual({ postId, likedByMe: false, likeCount: 0 });
    expect(await caller.posts.unlike({ id: postId })).toEqual({ postId, likedByMe: false, likeCount: 0 });
    expect(await truth(postId)).toEqual({ counter: 0, likes: 0 });
  });

  it('liking a missing post is NOT_FOUND', async () => {
    const caller = callerFor(api, fan.viewer);
    expect(await errorCode(caller.posts.like({ id: '01890000-0000-7000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect(await errorCode(caller.posts.unlike({ id: '01890000-0000-7000-8000-000000000000' }))).toBe('NOT_FOUND');
  });

  it('50 concurrent likes by one user leave exactly one like and likeCount 1', async () => {
    const [postId = ''] = await insertPosts(api.deps.orm.em.fork(), author.id, 1);
    const caller = callerFor(api, fan.viewer);
    const results = await Promise.all(Array.from({ length: 50 }, () => caller.posts.like({ id: postId })));
    expect(results.every((result) => result.likedByMe && result.likeCount === 1)).toBe(true);
    expect(await truth(postId)).toEqual({ counter: 1, likes: 1 });
    // and 50 concurrent unlikes leave none
    await Promise.all(Array.from({ length: 50 }, () => caller.posts.unlike({ id: postId })));
    expect(await truth(postId)).toEqual({ counter: 0, likes: 0 });
  });

  it('concurrent likes and unlikes from many users keep likeCount equal to COUNT(*)', async () => {
    const em = api.deps.orm.em.fork();
    const [postId = ''] = await insertPosts(em, author.id, 1);
    const users: InsertedUser[] = [];
    for (let i = 0; i < 30; i += 1) users.push(await insertUser(em));
    // every user likes twice at once; every third one then unlikes while the others still like
    await Promise.all(
      users.map(async (user, i) => {
        const caller = callerFor(api, user.viewer);
        await Promise.all([caller.posts.like({ id: postId }), caller.posts.like({ id: postId })]);
        if (i % 3 === 0) await caller.posts.unlike({ id: postId });
      }),
    );
    expect(await truth(postId)).toEqual({ counter: 20, likes: 20 });
  });

  it("a user's liked posts are listed, most recent like first, with likedByMe for the viewer", async () => {
    const em = api.deps.orm.em.fork();
    const liker = await insertUser(em);
    const ids = await insertPosts(em, author.id, 5);
    for (const id of ids) await callerFor(api, liker.viewer).posts.like({ id });
    const first = await callerFor(api).users.likedPosts({ id: liker.id, limit: 3 });
    expect(first.items.map((post) => post.likedByMe)).toEqual([false, false, false]);
    const second = await callerFor(api).users.likedPosts({ id: liker.id, limit: 3, cursor: String(first.nextCursor) });
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((post) => post.id)).toEqual([...ids].reverse());
    const own = await callerFor(api, liker.viewer).users.likedPosts({ id: liker.id });
    expect(own.items.every((post) => post.likedByMe)).toBe(true);
    expect(await errorCode(callerFor(api).users.likedPosts({ id: '01890000-0000-7000-8000-000000000000' }))).toBe(
      'NOT_FOUND',
    );
  });
});
