import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { Post } from './post.entity.js';
import { User } from './user.entity.js';

/** (user, post) is the primary key, so a second like of the same post cannot exist. */
export const PostLike = defineEntity({
  name: 'PostLike',
  tableName: 'post_likes',
  properties: {
    user: () => p.manyToOne(User).primary().deleteRule('cascade'),
    post: () => p.manyToOne(Post).primary().deleteRule('cascade'),
    createdAt: createdAt(),
  },
  indexes: [
    { name: 'post_likes_user_id_created_at_index', properties: ['user', 'createdAt'] },
    { name: 'post_likes_post_id_index', properties: ['post'] },
  ],
});

export type IPostLike = InferEntity<typeof PostLike>;
