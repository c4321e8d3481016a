import { z } from 'zod';
import { pageInputShape, pageOutput } from '../../lists.js';
import { userRefSchema } from '../users/users.schema.js';

const isoDate = z.iso.datetime();

/**
 * One comment of a thread. Rows come in display order (parents before their replies, siblings
 * oldest first); `depth` is the level in the post's thread (0 = top-level). A tombstone (a
 * deleted comment that still has replies) has `deleted: true` and neither body nor author.
 */
export const commentSchema = z.object({
  id: z.uuid(),
  postId: z.uuid(),
  parentId: z.uuid().nullable(),
  depth: z.number().int().min(0),
  body: z.string().nullable(),
  author: userRefSchema.nullable(),
  deleted: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const commentsPageSchema = pageOutput(commentSchema);

export const listCommentsInput = z.strictObject({
  postId: z.uuid(),
  scope: z
    .enum(['page', 'all'])
    .default('page')
    .describe(
      '`page`: `limit` top-level comments per page, each with all its replies; `all`: the whole thread in one answer (`cursor` and `limit` are ignored).',
    ),
  ...pageInputShape,
});

export const commentIdInput = z.strictObject({ id: z.uuid() });

export const createCommentInput = z.strictObject({
  postId: z.uuid(),
  parentId: z.uuid().describe('Reply to this comment (any depth); omit for a top-level comment.').optional(),
  body: z.string().min(1).max(10_000),
});

export const updateCommentInput = z.strictObject({
  id: z.uuid(),
  body: z.string().min(1).max(10_000),
});

export const threadOutput = z.object({ items: z.array(commentSchema) });

export type CommentDto = z.infer<typeof commentSchema>;
export type ListCommentsInput = z.infer<typeof listCommentsInput>;
export type CreateCommentInput = z.infer<typeof createCommentInput>;
export type UpdateCommentInput = z.infer<typeof updateCommentInput>;
