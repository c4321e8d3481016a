import { type EntityManager, POST_SEARCH_VECTOR_SQL } from '@inkwell/db';
import { TRPCError } from '@trpc/server';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { type Actor, assertMayChange, notFound } from '../../authorization.js';
import { cursorTimestamp, decodeCursor, encodeCursor, type Page, PG_INT_MAX } from '../../lists.js';
import { isoMicros, isoMillis, pgArray, queryRows, type SqlValue } from '../../sql.js';
import type {
  CreatePostInput,
  Deleted,
  PostDto,
  PostShared,
  PostSort,
  TagCount,
  UpdatePostInput,
} from './posts.schema.js';

/** A viewer-independent post listing (what `posts.list`, `users.posts` ask for). */
export interface PostListQuery {
  sort: PostSort;
  author?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

interface PostRow {
  id: string;
  title: string;
  body: string;
  like_count: number;
  comment_count: number;
  created_at: string;
  updated_at: string;
  author_id: string;
  author_username: string;
  author_display_name: string;
  tags: string[];
  cursor_at: string;
}

/** Columns of a post with its author and tag names, for `from posts p join users u`: one statement per page. */
const POST_COLUMNS = `p.id, p.title, p.body, p.like_count, p.comment_count,
  ${isoMillis('p.created_at')} as created_at, ${isoMillis('p.updated_at')} as updated_at,
  u.id as author_id, u.username as author_username, u.display_name as author_display_name,
  coalesce((select array_agg(t.name order by t.name) from post_tags pt join tags t on t.id = pt.tag_id
            where pt.post_id = p.id), '{}') as tags`;

const newCursor = z.strictObject({ sort: z.literal('new'), at: cursorTimestamp, id: z.uuid() });
const topCursor = z.strictObject({
  sort: z.literal('top'),
  likes: z.number().int().min(0).max(PG_INT_MAX),
  at: cursorTimestamp,
  id: z.uuid(),
});
const postCursor = z.discriminatedUnion('sort', [newCursor, topCursor]);
const likedCursor = z.strictObject({ at: cursorTimestamp, id: z.uuid() });

function toPostShared(row: PostRow): PostShared {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    tags: row.tags,
    author: { id: row.author_id, username: row.author_username, displayName: row.author_display_name },
    likeCount: row.like_count,
    commentCount: row.comment_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const ORDER_BY: Record<PostSort, string> = {
  new: 'p.created_at desc, p.id desc',
  top: 'p.like_count desc, p.created_at desc, p.id desc',
};

/**
 * One page of posts, viewer-independent (cacheable as is). Keyset pagination on
 * (created_at, id) for `new` and (like_count, created_at, id) for `top`; one SQL statement.
 */
export async function loadPosts(em: EntityManager, query: PostListQuery): Promise<Page<PostShared>> {
  const cursor = decodeCursor(postCursor, query.cursor);
  if (cursor && cursor.sort !== query.sort) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'The cursor belongs to another sort order' });
  }
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.author) {
    where.push('p.author_id = ?');
    params.push(query.author);
  }
  if (query.tag) {
    where.push(
      'exists (select 1 from post_tags pt join tags t on t.id = pt.tag_id where pt.post_id = p.id and t.name = ?)',
    );
    params.push(query.tag);
  }
  if (query.q) {
    // Exactly the indexed expression, so the GIN index applies.
    where.push(`${POST_SEARCH_VECTOR_SQL} @@ websearch_to_tsquery('english', ?)`);
    params.push(query.q);
  }
  if (cursor?.sort === 'new') {
    where.push('(p.created_at, p.id) < (?::timestamptz, ?::uuid)');
    params.push(cursor.at, cursor.id);
  } else if (cursor?.sort === 'top') {
    where.push('(p.like_count, p.created_at, p.id) < (?, ?::timestamptz, ?::uuid)');
    params.push(cursor.likes, cursor.at, cursor.id);
  }
  const order = ORDER_BY[query.sort];
  const rows = await queryRows<PostRow>(
    em,
    `with page as (
       select p.id from posts p
       ${where.length ? `where ${where.join(' and ')}` : ''}
       order by ${order} limit ?)
     select ${POST_COLUMNS}, ${isoMicros('p.created_at')} as cursor_at
     from page join posts p on p.id = page.id join users u on u.id = p.author_id
     order by ${order}`,
    [...params, query.limit + 1],
  );
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > query.limit && last) {
    nextCursor = encodeCursor(
      query.sort === 'new'
        ? { sort: 'new', at: last.cursor_at, id: last.id }
        : { sort: 'top', likes: last.like_count, at: last.cursor_at, id: last.id },
    );
  }
  return { items: items.map(toPostShared), nextCursor };
}

/** Posts by id, viewer-independent, in the order of `ids` (missing ones are left out). */
export async function loadPostsByIds(em: EntityManager, ids: readonly string[]): Promise<PostShared[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<PostRow>(
    em,
    `select ${POST_COLUMNS}, '' as cursor_at from posts p join users u on u.id = p.author_id
     where p.id = any(?::uuid[])`,
    [pgArray(ids)],
  );
  const byId = new Map(rows.map((row) => [row.id, toPostShared(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The posts a user liked, most recently liked first; viewer-independent. */
export async function loadLikedPosts(
  em: EntityManager,
  userId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<PostShared>> {
  const cursor = decodeCursor(likedCursor, page.cursor);
  const params: SqlValue[] = [userId];
  let keyset = '';
  if (cursor) {
    keyset = 'and (l.created_at, l.post_id) < (?::timestamptz, ?::uuid)';
    params.push(cursor.at, cursor.id);
  }
  const rows = await queryRows<PostRow>(
    em,
    `with page as (
       select l.post_id, l.created_at from post_likes l where l.user_id = ? ${keyset}
       order by l.created_at desc, l.post_id desc limit ?)
     select ${POST_COLUMNS}, ${isoMicros('page.created_at')} as cursor_at
     from page join posts p on p.id = page.post_id join users u on u.id = p.author_id
     order by page.created_at desc, p.id desc`,
    [...params, page.limit + 1],
  );
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const nextCursor = rows.length > page.limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null;
  return { items: items.map(toPostShared), nextCursor };
}

/**
 * Which of `postIds` the viewer likes: one query per page, none for anonymous viewers.
 * Kept apart from `loadPosts` so the viewer-independent part can be shared (cached).
 */
export async function resolveLikedByMe(
  em: EntityManager,
  viewerId: string | null,
  postIds: readonly string[],
): Promise<Set<string>> {
  if (!viewerId || postIds.length === 0) return new Set();
  const rows = await queryRows<{ post_id: string }>(
    em,
    'select post_id from post_likes where user_id = ? and post_id = any(?::uuid[])',
    [viewerId, pgArray(postIds)],
  );
  return new Set(rows.map((row) => row.post_id));
}

export function withLikedByMe(posts: readonly PostShared[], liked: ReadonlySet<string>): PostDto[] {
  return posts.map((post) => ({ ...post, likedByMe: liked.has(post.id) }));
}

/** A page of posts with `likedByMe` resolved for the viewer. */
export async function personalizePage(
  em: EntityManager,
  viewerId: string | null,
  page: Page<PostShared>,
): Promise<Page<PostDto>> {
  const liked = await resolveLikedByMe(
    em,
    viewerId,
    page.items.map((post) => post.id),
  );
  return { items: withLikedByMe(page.items, liked), nextCursor: page.nextCursor };
}

export async function listPosts(em: EntityManager, viewerId: string | null, query: PostListQuery) {
  return personalizePage(em, viewerId, await loadPosts(em, query));
}

export async function getPost(em: EntityManager, viewerId: string | null, id: string): Promise<PostDto> {
  const [post] = await loadPostsByIds(em, [id]);
  if (!post) throw notFound('Post');
  const [personal] = withLikedByMe([post], await resolveLikedByMe(em, viewerId, [id]));
  if (!personal) throw notFound('Post');
  return personal;
}

/** Makes sure the tags exist and links exactly them to the post (replacing any others). */
async function setPostTags(tx: EntityManager, postId: string, names: readonly string[]): Promise<void> {
  await queryRows(tx, 'delete from post_tags where post_id = ?', [postId]);
  if (names.length === 0) return;
  await queryRows(
    tx,
    `insert into tags (id, name, created_at) select unnest(?::uuid[]), unnest(?::text[]), now()
     on conflict (name) do nothing`,
    [pgArray(names.map(() => uuidv7())), pgArray(names)],
  );
  // A separate statement sees tags a concurrent transaction committed while we waited on the conflict.
  await queryRows(
    tx,
    'insert into post_tags (post_id, tag_id) select ?, t.id from tags t where t.name = any(?::text[])',
    [postId, pgArray(names)],
  );
}

export async function createPost(em: EntityManager, actor: Actor, input: CreatePostInput): Promise<PostDto> {
  const id = uuidv7();
  await em.transactional(async (tx) => {
    await queryRows(
      tx,
      `insert into posts (id, author_id, title, body, like_count, comment_count, created_at, updated_at)
       values (?, ?, ?, ?, 0, 0, now(), now())`,
      [id, actor.userId, input.title, input.body],
    );
    await setPostTags(tx, id, [...new Set(input.tags)]);
  });
  return getPost(em, actor.userId, id);
}

/** Locks the post for the rest of the transaction and checks the actor may change it. */
async function lockPostFor(tx: EntityManager, actor: Actor, id: string, action: 'edit' | 'delete'): Promise<void> {
  const [row] = await queryRows<{ author_id: string }>(tx, 'select author_id from posts where id = ? for update', [id]);
  if (!row) throw notFound('Post');
  assertMayChange(actor, row.author_id, action, 'post');
}

export async function updatePost(em: EntityManager, actor: Actor, input: UpdatePostInput): Promise<PostDto> {
  await em.transactional(async (tx) => {
    await lockPostFor(tx, actor, input.id, 'edit');
    await queryRows(
      tx,
      'update posts set title = coalesce(?, title), body = coalesce(?, body), updated_at = now() where id = ?',
      [input.title ?? null, input.body ?? null, input.id],
    );
    if (input.tags) await setPostTags(tx, input.id, [...new Set(input.tags)]);
  });
  return getPost(em, actor.userId, input.id);
}

/** Deletes the post with its comments, likes and tag links (foreign keys cascade). */
export async function deletePost(em: EntityManager, actor: Actor, id: string): Promise<Deleted> {
  await em.transactional(async (tx) => {
    await lockPostFor(tx, actor, id, 'delete');
    await queryRows(tx, 'delete from posts where id = ?', [id]);
  });
  return { id, deleted: true };
}

/** The most used tags with how many posts carry each. */
export async function popularTags(em: EntityManager, limit: number): Promise<TagCount[]> {
  const rows = await queryRows<{ name: string; post_count: number }>(
    em,
    `select t.name, count(*)::int as post_count from post_tags pt join tags t on t.id = pt.tag_id
     group by t.name order by post_count desc, t.name limit ?`,
    [limit],
  );
  return rows.map((row) => ({ name: row.name, postCount: row.post_count }));
}
