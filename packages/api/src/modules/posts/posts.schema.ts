import { z } from 'zod';
import { pageInputShape, pageOutput } from '../../lists.js';
import { userRefSchema } from '../users/users.schema.js';

const isoDate = z.iso.datetime();

export const TAG_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const MAX_TAGS = 10;

/** Tags are case-insensitive slugs: lower-cased first, then checked. */
export const tagNameSchema = z
  .string()
  .max(40)
  .toLowerCase()
  .regex(TAG_PATTERN, 'A tag is 1-40 of a-z, 0-9 and "-", starting with a letter or digit');

/** The part of a post that is the same for every viewer (what a shared cache may hold). */
export const postSharedSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  author: userRefSchema,
  likeCount: z.number().int().min(0),
  commentCount: z.number().int().min(0),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const postSchema = postSharedSchema.extend({
  /** Whether the caller likes the post; always false for anonymous callers. */
  likedByMe: z.boolean(),
});

export const postsPageSchema = pageOutput(postSchema);

export const POST_SORTS = ['new', 'top'] as const;
export type PostSort = (typeof POST_SORTS)[number];

export const listPostsInput = z.strictObject({
  ...pageInputShape,
  sort: z.enum(POST_SORTS).default('new').describe('`new`: newest first; `top`: most liked first.'),
  author: z.uuid().describe("Only this user's posts (their id).").optional(),
  tag: tagNameSchema.describe('Only posts with this tag.').optional(),
  q: z
    .string()
    .min(1)
    .max(200)
    .describe('Full-text search over title and body (web search syntax: words, "phrases", -excluded, or).')
    .optional(),
});

export const postIdInput = z.strictObject({ id: z.uuid() });

export const createPostInput = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().min(1).max(50_000),
  tags: z.array(tagNameSchema).max(MAX_TAGS).default([]),
});

export const updatePostInput = z
  .strictObject({
    id: z.uuid(),
    title: z.string().min(1).max(200).optional(),
    body: z.string().min(1).max(50_000).optional(),
    tags: z.array(tagNameSchema).max(MAX_TAGS).describe("Replaces the post's tags when given.").optional(),
  })
  .refine((input) => input.title !== undefined || input.body !== undefined || input.tags !== undefined, {
    message: 'Nothing to update',
  });

export const likeStateSchema = z.object({
  postId: z.uuid(),
  likedByMe: z.boolean(),
  likeCount: z.number().int().min(0),
});

export const tagsInput = z.strictObject({
  limit: z.coerce.number<number>().int().min(1).max(100).default(20),
});

export const tagsOutput = z.object({
  items: z.array(z.object({ name: z.string(), postCount: z.number().int().min(1) })),
});

/** What every delete answers (posts and comments alike). */
export const deletedSchema = z.object({ id: z.uuid(), deleted: z.literal(true) });

export type PostShared = z.infer<typeof postSharedSchema>;
export type PostDto = z.infer<typeof postSchema>;
export type ListPostsInput = z.infer<typeof listPostsInput>;
export type CreatePostInput = z.infer<typeof createPostInput>;
export type UpdatePostInput = z.infer<typeof updatePostInput>;
export type LikeState = z.infer<typeof likeStateSchema>;
export type TagCount = z.infer<typeof tagsOutput>['items'][number];
export type Deleted = z.infer<typeof deletedSchema>;
