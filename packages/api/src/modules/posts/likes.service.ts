import type { EntityManager } from '@inkwell/db';
import { type Actor, notFound } from '../../authorization.js';
import { queryRows } from '../../sql.js';
import type { LikeState } from './posts.schema.js';

/**
 * Likes a post; liking it again changes nothing. The like row and the counter change in one
 * statement: the counter moves only if the insert added a row, so concurrent likes by one
 * user count once, and concurrent likes by many users each count (row lock on the post).
 */
export async function likePost(em: EntityManager, actor: Actor, postId: string): Promise<LikeState> {
  return em.transactional(async (tx) => {
    // `for key share` keeps the post from being deleted under us without blocking other likes.
    const [post] = await queryRows(tx, 'select 1 from posts where id = ? for key share', [postId]);
    if (!post) throw notFound('Post');
    const [updated] = await queryRows<{ like_count: number }>(
      tx,
      `with added as (
         insert into post_likes (user_id, post_id, created_at) values (?, ?, now())
         on conflict do nothing returning post_id)
       update posts set like_count = like_count + 1 where id in (select post_id from added)
       returning like_count`,
      [actor.userId, postId],
    );
    return { postId, likedByMe: true, likeCount: updated?.like_count ?? (await currentLikeCount(tx, postId)) };
  });
}

/** Unlikes a post; unliking a post one does not like changes nothing. */
export async function unlikePost(em: EntityManager, actor: Actor, postId: string): Promise<LikeState> {
  return em.transactional(async (tx) => {
    const [post] = await queryRows(tx, 'select 1 from posts where id = ? for key share', [postId]);
    if (!post) throw notFound('Post');
    const [updated] = await queryRows<{ like_count: number }>(
      tx,
      `with removed as (delete from post_likes where user_id = ? and post_id = ? returning post_id)
       update posts set like_count = like_count - 1 where id in (select post_id from removed)
       returning like_count`,
      [actor.userId, postId],
    );
    return { postId, likedByMe: false, likeCount: updated?.like_count ?? (await currentLikeCount(tx, postId)) };
  });
}

async function currentLikeCount(tx: EntityManager, postId: string): Promise<number> {
  const [row] = await queryRows<{ like_count: number }>(tx, 'select like_count from posts where id = ?', [postId]);
  return row?.like_count ?? 0;
}
