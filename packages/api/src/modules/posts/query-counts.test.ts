import { performance } from 'node:perf_hooks';
import { createOrm, type MikroORM } from '@inkwell/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalContext, type Viewer } from '../../context.js';
import { createCaller } from '../../root.js';
import { pgArray } from '../../sql.js';
import { type InsertedUser, insertPosts, insertUser } from '../../test/content-fixtures.js';
import { startTestApi, type TestApi } from '../../test/harness.js';
import { POST_THREAD_SQL } from './comments.service.js';

/**
 * Lists must cost a constant number of SQL statements whatever their size (no N+1). The
 * statements are counted by the ORM's query logger on an ORM of its own.
 */
describe('SQL statements per list', () => {
  let api: TestApi;
  let orm: MikroORM;
  let statements: string[] = [];
  let viewer: InsertedUser;

  async function countStatements(run: (caller: ReturnType<typeof createCaller>) => Promise<unknown>) {
    const caller = createCaller(createInternalContext({ ...api.deps, orm }, viewer.viewer as Viewer));
    statements = [];
    await run(caller);
    return statements.length;
  }

  /**
   * A post with `count` comments: every 50th top-level, the others replying to one of the 20
   * comments before (`deep`: long chains) or to any earlier comment (`broad`: a bushy, shallow tree).
   */
  async function postWithThread(
    count: number,
    shape: 'deep' | 'broad' = 'deep',
  ): Promise<{ postId: string; rootId: string }> {
    const em = api.deps.orm.em.fork();
    const [postId = ''] = await insertPosts(em, viewer.id, 1);
    const authors = [viewer.id, (await insertUser(em)).id, (await insertUser(em)).id];
    const ids: string[] = [];
    const parents: (string | null)[] = [];
    let seed = 42; // a fixed linear congruential sequence: the same tree on every run
    for (let i = 0; i < count; i += 1) {
      ids.push(crypto.randomUUID());
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const back = i === 0 ? 0 : seed % Math.min(i, shape === 'deep' ? 20 : i);
      parents.push(i % 50 === 0 ? null : (ids[i - 1 - back] ?? null));
    }
    await em.execute(
      `insert into comments (id, post_id, author_id, parent_id, body, created_at, updated_at, deleted_at)
       select c.id, ?, (?::uuid[])[1 + n % 3], nullif(c.parent, '')::uuid, 'comment ' || n,
              now() - interval '1 day' + n * interval '1 second', now(), null
       from unnest(?::uuid[], ?::text[]) with ordinality as c(id, parent, n)`,
      [postId, pgArray(authors), pgArray(ids), pgArray(parents.map((p) => p ?? ''))],
    );
    await em.execute('update posts set comment_count = ? where id = ?', [count, postId]);
    return { postId, rootId: ids[0] ?? '' };
  }

  /**
   * Timing (reported, not asserted: CPU is shared): median of 15 runs of the whole procedure,
   * and PostgreSQL's own execution time of the thread statement from EXPLAIN ANALYZE.
   */
  async function timeThread(postId: string) {
    const caller = createCaller(createInternalContext(api.deps, null));
    const runs: number[] = [];
    let depth = 0;
    for (let i = 0; i < 15; i += 1) {
      const start = performance.now();
      const { items } = await caller.posts.comments.list({ postId, scope: 'all' });
      runs.push(performance.now() - start);
      depth = Math.max(...items.map((item) => item.depth));
    }
    runs.sort((a, b) => a - b);
    const plan = await api.deps.orm.em
      .fork()
      .execute<{ 'QUERY PLAN': string }[]>(`explain (analyze, format text) ${POST_THREAD_SQL}`, [postId]);
    const execution = plan.map((row) => row['QUERY PLAN']).find((line) => line.startsWith('Execution Time')) ?? '';
    expect(execution).toMatch(/Execution Time: [\d.]+ ms/);
    const median = runs[Math.floor(runs.length / 2)] ?? Number.NaN;
    return {
      depth,
      summary: `procedure median ${median.toFixed(1)} ms (min ${runs[0]?.toFixed(1)} ms) over 15 runs, PostgreSQL ${execution}`,
    };
  }

  beforeAll(async () => {
    api = await startTestApi();
    orm = await createOrm({
      databaseUrl: api.db.url,
      poolMax: 2,
      onQuery: (message) => {
        statements.push(message);
      },
    });
    const em = api.deps.orm.em.fork();
    viewer = await insertUser(em);
    // 120 posts by 12 authors, each with 3 tags, a third of them liked by the viewer
    for (let a = 0; a < 12; a += 1) {
      const author = await insertUser(em);
      const ids = await insertPosts(em, author.id, 10, [`tag-${a}`, 'common', `group-${a % 3}`]);
      await em.execute(
        `insert into post_likes (user_id, post_id, created_at) select ?, id, now() from unnest(?::uuid[]) as id`,
        [viewer.id, pgArray(ids.filter((_, i) => i % 3 === 0))],
      );
    }
  });
  afterAll(async () => {
    await orm?.close(true);
    await api?.close();
  });

  it('a page of 100 posts with authors, tags and likedByMe costs what a page of 10 does', async () => {
    let small: { items: { tags: string[]; likedByMe: boolean }[] } = { items: [] };
    let large: typeof small = { items: [] };
    const ten = await countStatements(async (caller) => {
      small = await caller.posts.list({ limit: 10 });
    });
    const hundred = await countStatements(async (caller) => {
      large = await caller.posts.list({ limit: 100 });
    });
    expect(small.items).toHaveLength(10);
    expect(large.items).toHaveLength(100);
    expect(large.items.every((post) => post.tags.length === 3)).toBe(true);
    expect(large.items.some((post) => post.likedByMe)).toBe(true);
    expect(hundred).toBe(ten);
    expect(hundred).toBe(2); // the page (posts + authors + tags), then the viewer's likes
    console.info(`[query-counts] posts.list: ${ten} statements for 10 posts, ${hundred} for 100`);

    const byTag = await countStatements((caller) => caller.posts.list({ limit: 100, tag: 'common', sort: 'top' }));
    const liked = await countStatements((caller) => caller.users.likedPosts({ id: viewer.id, limit: 100 }));
    expect(byTag).toBe(2);
    expect(liked).toBe(3); // user exists, the page, likedByMe
  });

  it('a thread of 1,000 comments costs what a thread of 10 does, and the CTE is timed', async () => {
    const small = await postWithThread(10);
    const large = await postWithThread(1_000);
    let items: { id: string; parentId: string | null; depth: number }[] = [];
    const ten = await countStatements((caller) => caller.posts.comments.list({ postId: small.postId, scope: 'all' }));
    const thousand = await countStatements(async (caller) => {
      items = (await caller.posts.comments.list({ postId: large.postId, scope: 'all' })).items;
    });
    expect(items).toHaveLength(1_000);
    // display order: every reply comes after its parent, one level deeper
    const position = new Map(items.map((item, index) => [item.id, index]));
    for (const [index, item] of items.entries()) {
      if (item.parentId === null) {
        expect(item.depth).toBe(0);
        continue;
      }
      const parentIndex = position.get(item.parentId) ?? Number.POSITIVE_INFINITY;
      expect(parentIndex).toBeLessThan(index);
      expect(item.depth).toBe((items[parentIndex]?.depth ?? -2) + 1);
    }
    const maxDepth = Math.max(...items.map((item) => item.depth));
    expect(maxDepth).toBeGreaterThan(5);
    expect(thousand).toBe(ten);
    expect(thousand).toBe(2); // post exists, the thread
    const subtreeSmall = await countStatements((caller) => caller.posts.comments.thread({ id: small.rootId }));
    const subtreeLarge = await countStatements((caller) => caller.posts.comments.thread({ id: large.rootId }));
    expect(subtreeLarge).toBe(subtreeSmall);
    expect(subtreeLarge).toBe(1);
    const paged = await countStatements((caller) => caller.posts.comments.list({ postId: large.postId, limit: 100 }));
    expect(paged).toBe(2);
    console.info(`[query-counts] comments.list scope=all: ${ten} statements for 10 comments, ${thousand} for 1,000`);

    const deep = await timeThread(large.postId);
    const broad = await timeThread((await postWithThread(1_000, 'broad')).postId);
    console.info(
      `[query-counts] 1,000-comment thread, max depth ${maxDepth}: ${deep.summary}; the same size bushy (max depth ${broad.depth}): ${broad.summary}`,
    );
  });
});
