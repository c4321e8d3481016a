import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPrimaryKey } from './columns.js';

export const Tag = defineEntity({
  name: 'Tag',
  tableName: 'tags',
  properties: {
    id: uuidPrimaryKey(),
    /** Normalized lower-case slug, e.g. `typescript`. */
    name: p.string().length(40).unique('tags_name_unique'),
    createdAt: createdAt(),
  },
});

export type ITag = InferEntity<typeof Tag>;
