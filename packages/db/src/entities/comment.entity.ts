import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, timestamp, updatedAt, uuidPrimaryKey } from './columns.js';
import { Post } from './post.entity.js';
import { User } from './user.entity.js';

/**
 * A comment in a thread of any depth (adjacency list, read with a recursive CTE).
 * Deleting one that has replies sets `deletedAt` and keeps the row as a tombstone.
 */
export const Comment = defineEntity({
  name: 'Comment',
  tableName: 'comments',
  properties: {
    id: uuidPrimaryKey(),
    post: () => p.manyToOne(Post).ref().deleteRule('cascade'),
    author: () => p.manyToOne(User).ref().deleteRule('cascade'),
    parent: () => p.manyToOne(Comment).ref().nullable().deleteRule('cascade'),
    body: p.text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamp().nullable(),
  },
  indexes: [
    { name: 'comments_post_id_created_at_id_index', properties: ['post', 'createdAt', 'id'] },
    { name: 'comments_parent_id_created_at_id_index', properties: ['parent', 'createdAt', 'id'] },
    { name: 'comments_author_id_index', properties: ['author'] },
  ],
});

export type IComment = InferEntity<typeof Comment>;
