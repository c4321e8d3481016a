import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { cacheTags, invalidationsFor } from '../../cache/tags.js';
import { cached, invalidates } from '../../middleware/cache.js';
import { publicProcedure, writerProcedure } from '../../procedures.js';
import {
  commentIdInput,
  commentSchema,
  commentsPageSchema,
  createCommentInput,
  listCommentsInput,
  threadOutput,
  updateCommentInput,
} from './comments.schema.js';
import { createComment, deleteComment, listComments, loadThread, updateComment } from './comments.service.js';
import { commentTags } from './posts.cache.js';
import { deletedSchema } from './posts.schema.js';

const tags = ['comments'];

/** Procedures of `posts.comments`. */
export const commentsRouter = {
  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/posts/{postId}/comments',
        tags,
        summary: "A post's comments: top-level ones paginated with all their replies, or the whole thread",
        protect: false,
      },
    })
    .input(listCommentsInput)
    .use(
      cached({
        ttlSeconds: 120,
        output: commentsPageSchema,
        tags: (input, page) => [cacheTags.postComments(input.postId), ...commentTags(page.items)],
      }),
    )
    .output(commentsPageSchema)
    .query(({ ctx, input }) => listComments(ctx.em, input)),

  thread: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/comments/{id}',
        tags,
        summary: 'A comment with all its replies',
        protect: false,
      },
    })
    .input(commentIdInput)
    .use(
      cached({
        ttlSeconds: 120,
        output: threadOutput,
        tags: (_input, thread) => commentTags(thread.items),
      }),
    )
    .output(threadOutput)
    .query(async ({ ctx, input }) => ({ items: await loadThread(ctx.em, input.id) })),

  create: writerProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/posts/{postId}/comments',
        tags,
        summary: 'Comment on a post or reply to a comment',
        protect: true,
      },
      created: true,
    })
    .input(createCommentInput)
    .output(commentSchema)
    .use(invalidates({ result: commentSchema, tags: ({ result }) => invalidationsFor.commentChanged(result.postId) }))
    .mutation(({ ctx, input }) => createComment(ctx.em, ctx.viewer, input)),

  update: writerProcedure
    .meta({ openapi: { method: 'PATCH', path: '/comments/{id}', tags, summary: 'Edit your comment', protect: true } })
    .input(updateCommentInput)
    .output(commentSchema)
    .use(invalidates({ result: commentSchema, tags: ({ result }) => invalidationsFor.commentChanged(result.postId) }))
    .mutation(({ ctx, input }) => updateComment(ctx.em, ctx.viewer, input)),

  delete: writerProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/comments/{id}',
        tags,
        summary: 'Delete your comment (admins: any); one with replies stays as a tombstone',
        protect: true,
      },
    })
    .input(commentIdInput)
    .output(deletedSchema)
    // The service also says which post the comment was on (the response does not).
    .use(
      invalidates({
        result: z.object({ postId: z.uuid() }),
        tags: ({ result }) => invalidationsFor.commentChanged(result.postId),
      }),
    )
    .mutation(({ ctx, input }) => deleteComment(ctx.em, ctx.viewer, input.id)),
} satisfies TRPCRouterRecord;
