import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPrimaryKey } from './columns.js';
import { PostTag } from './post-tag.entity.js';
import { Tag } from './tag.entity.js';
import { User } from './user.entity.js';

/** The expression the full-text index is built on; queries must use exactly this text. */
export const POST_SEARCH_VECTOR_SQL = `to_tsvector('english', "title" || ' ' || "body")`;

export const Post = defineEntity({
  name: 'Post',
  tableName: 'posts',
  properties: {
    id: uuidPrimaryKey(),
    author: () => p.manyToOne(User).ref().deleteRule('cascade'),
    title: p.string().length(200),
    body: p.text(),
    tags: () =>
      p
        .manyToMany(Tag)
        .pivotEntity(() => PostTag)
        .owner(),
    likeCount: p.integer().default(0),
    commentCount: p.integer().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  indexes: [
    // keyset pagination: sort=new, sort=top, and per-author listing
    { name: 'posts_created_at_id_index', properties: ['createdAt', 'id'] },
    { name: 'posts_like_count_created_at_id_index', properties: ['likeCount', 'createdAt', 'id'] },
    { name: 'posts_author_id_created_at_id_index', properties: ['author', 'createdAt', 'id'] },
    {
      name: 'posts_search_index',
      expression: `create index "posts_search_index" on "posts" using gin (${POST_SEARCH_VECTOR_SQL})`,
    },
  ],
});

export type IPost = InferEntity<typeof Post>;
