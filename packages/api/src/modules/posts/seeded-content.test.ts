import { seedDatabase } from '@inkwell/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/harness.js';
import { trpcClient } from '../../test/trpc-client.js';

/** The seeder's demo data is browsable through the content procedures over HTTP. */
describe('seeded content', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await seedDatabase(api.deps.orm.em.fork());
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists the seeded posts with authors, tags and counters', async () => {
    const caller = trpcClient(api);
    const { items, nextCursor } = await caller.posts.list.query({ limit: 100 });
    expect(items).toHaveLength(7);
    expect(nextCursor).toBeNull();
    const keyset = items.find((post) => post.title.startsWith('Keyset pagination'));
    expect(keyset).toMatchObject({
      author: { username: 'ada', displayName: 'Ada Okafor' },
      tags: ['performance', 'postgresql'],
      likeCount: 3,
      commentCount: 6,
      likedByMe: false,
    });
    const top = await caller.posts.list.query({ sort: 'top', limit: 3 });
    expect(top.items.map((post) => post.likeCount)).toEqual([3, 3, 3]);
    expect((await caller.posts.list.query({ tag: 'cooking' })).items.map((post) => post.author.username)).toEqual([
      'ben_writes',
      'ben_writes',
    ]);
    expect((await caller.posts.list.query({ q: 'outbox transaction' })).items.map((post) => post.title)).toEqual([
      'The transactional outbox in one page',
    ]);
    const tags = await caller.posts.tags.query({ limit: 3 });
    expect(tags.items[0]).toEqual({ name: 'architecture', postCount: 2 });
  });

  it('shows the nested seeded thread in display order', async () => {
    const caller = trpcClient(api);
    const { items } = await caller.posts.list.query({ q: 'keyset' });
    const postId = String(items[0]?.id);
    const thread = await caller.posts.comments.list.query({ postId, scope: 'all' });
    expect(thread.items.map((comment) => [comment.author?.username, comment.depth])).toEqual([
      ['chen', 0],
      ['ada', 1],
      ['chen', 2],
      ['ada', 3],
      ['ben_writes', 1],
      ['admin', 0],
    ]);
    const subtree = await caller.posts.comments.thread.query({ id: String(thread.items[1]?.id) });
    expect(subtree.items.map((comment) => comment.depth)).toEqual([1, 2, 3]);
  });

  it('shows the seeded users and what they liked', async () => {
    const caller = trpcClient(api);
    const users = await caller.users.list.query({ limit: 100 });
    expect(users.items.map((user) => user.username).sort()).toEqual(['ada', 'admin', 'ben_writes', 'chen', 'dana']);
    const ada = await caller.users.byUsername.query({ username: 'ada' });
    const liked = await caller.users.likedPosts.query({ id: ada.id });
    expect(liked.items).toHaveLength(4);
    expect((await caller.users.posts.query({ id: ada.id })).items).toHaveLength(2);
  });
});
