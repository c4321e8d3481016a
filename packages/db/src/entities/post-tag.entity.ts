import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Post } from './post.entity.js';
import { Tag } from './tag.entity.js';

/** Pivot of Post.tags, declared so the tag side gets its own index (filter by tag). */
export const PostTag = defineEntity({
  name: 'PostTag',
  tableName: 'post_tags',
  properties: {
    post: () => p.manyToOne(Post).primary().deleteRule('cascade'),
    tag: () => p.manyToOne(Tag).primary().deleteRule('cascade').index('post_tags_tag_id_index'),
  },
});

export type IPostTag = InferEntity<typeof PostTag>;
