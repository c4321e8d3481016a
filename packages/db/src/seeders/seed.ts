import type { EntityManager } from '@mikro-orm/postgresql';
import argon2 from 'argon2';
import { Comment, Post, PostLike, PostTag, Tag, User } from '../entities/index.js';
import { SEED_PASSWORD, seedComments, seedPosts, seedUsers } from './seed-data.js';
import { seedDate, seedUuid } from './seed-ids.js';

export interface SeedResult {
  users: number;
  posts: number;
  tags: number;
  comments: number;
  likes: number;
}

/**
 * Inserts the demo data with deterministic ids and `on conflict do nothing`, so running it
 * again changes nothing. Counters are derived from the seeded rows, never typed in.
 */
export async function seedDatabase(em: EntityManager): Promise<SeedResult> {
  // OWASP minimum argon2id cost; the api re-hashes on login if its configured cost is higher.
  const passwordHash = await argon2.hash(SEED_PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  const userId = (key: string) => seedUuid(`user:${key}`, 0);
  const postId = (key: string) => seedUuid(`post:${key}`, seedPosts.findIndex((p) => p.key === key) + 1);
  const tagId = (name: string) => seedUuid(`tag:${name}`, 0);
  const commentId = (key: string) => seedUuid(`comment:${key}`, 100 + seedComments.findIndex((c) => c.key === key));

  const tagNames = [...new Set(seedPosts.flatMap((post) => post.tags))].sort();

  await em.transactional(async (tx) => {
    await tx
      .createQueryBuilder(User)
      .insert(
        seedUsers.map((user, order) => ({
          id: userId(user.key),
          email: user.email,
          username: user.username,
          displayName: user.displayName,
          bio: user.bio,
          passwordHash,
          role: user.role,
          emailVerifiedAt: user.verified ? seedDate(order) : null,
          disabledAt: null,
          createdAt: seedDate(order),
          updatedAt: seedDate(order),
        })),
      )
      .onConflict()
      .ignore()
      .execute();

    await tx
      .createQueryBuilder(Tag)
      .insert(tagNames.map((name) => ({ id: tagId(name), name, createdAt: seedDate(0) })))
      .onConflict()
      .ignore()
      .execute();

    await tx
      .createQueryBuilder(Post)
      .insert(
        seedPosts.map((post, index) => ({
          id: postId(post.key),
          author: userId(post.author),
          title: post.title,
          body: post.body,
          likeCount: post.likedBy.length,
          commentCount: seedComments.filter((comment) => comment.post === post.key).length,
          createdAt: seedDate(10 + index * 90),
          updatedAt: seedDate(10 + index * 90),
        })),
      )
      .onConflict()
      .ignore()
      .execute();

    await tx
      .createQueryBuilder(PostTag)
      .insert(seedPosts.flatMap((post) => post.tags.map((tag) => ({ post: postId(post.key), tag: tagId(tag) }))))
      .onConflict()
      .ignore()
      .execute();

    await tx
      .createQueryBuilder(PostLike)
      .insert(
        seedPosts.flatMap((post, index) =>
          post.likedBy.map((user, n) => ({
            user: userId(user),
            post: postId(post.key),
            createdAt: seedDate(20 + index * 90 + n),
          })),
        ),
      )
      .onConflict()
      .ignore()
      .execute();

    await tx
      .createQueryBuilder(Comment)
      .insert(
        seedComments.map((comment, index) => ({
          id: commentId(comment.key),
          post: postId(comment.post),
          author: userId(comment.author),
          parent: comment.parent ? commentId(comment.parent) : null,
          body: comment.body,
          createdAt: seedDate(1000 + index * 7),
          updatedAt: seedDate(1000 + index * 7),
          deletedAt: null,
        })),
      )
      .onConflict()
      .ignore()
      .execute();
  });

  return {
    users: seedUsers.length,
    posts: seedPosts.length,
    tags: tagNames.length,
    comments: seedComments.length,
    likes: seedPosts.reduce((sum, post) => sum + post.likedBy.length, 0),
  };
}
