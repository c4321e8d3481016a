import type { TRPCRouterRecord } from '@trpc/server';
import { cacheTags, invalidationsFor } from '../../cache/tags.js';
import { cached, invalidates } from '../../middleware/cache.js';
import { publicProcedure, writerProcedure } from '../../procedures.js';
import { commentsRouter } from './comments.router.js';
import { likePost, unlikePost } from './likes.service.js';
import { personalizePost, personalizePostPage, postPageTags, postTags } from './posts.cache.js';
import {
  createPostInput,
  deletedSchema,
  likeStateSchema,
  listPostsInput,
  postIdInput,
  postSchema,
  postsPageSchema,
  tagsInput,
  tagsOutput,
  updatePostInput,
} from './posts.schema.js';
import { createPost, deletePost, getPost, listPosts, popularTags, updatePost } from './posts.service.js';

const tags = ['posts'];

/** Procedures of `posts` (comments nested as `posts.comments`); see DESIGN.md "API surface". */
export const postsRouter = {
  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/posts',
        tags,
        summary: 'List posts (filter by author, tag, full-text q; sort new or top)',
        protect: false,
      },
    })
    .input(listPostsInput)
    .use(
      cached({
        ttlSeconds: 120,
        output: postsPageSchema,
        tags: (_input, page) => postPageTags(page),
        personalize: personalizePostPage,
      }),
    )
    .output(postsPageSchema)
    // Shared by every viewer (cached): likedByMe is filled in by `personalize`.
    .query(({ ctx, input }) => listPosts(ctx.em, null, input)),

  byId: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/posts/{id}', tags, summary: 'A post', protect: false } })
    .input(postIdInput)
    .use(
      cached({
        ttlSeconds: 300,
        output: postSchema,
        tags: (_input, post) => postTags(post),
        personalize: personalizePost,
      }),
    )
    .output(postSchema)
    .query(({ ctx, input }) => getPost(ctx.em, null, input.id)),

  create: writerProcedure
    .meta({
      openapi: { method: 'POST', path: '/posts', tags, summary: 'Publish a post', protect: true },
      created: true,
    })
    .input(createPostInput)
    .output(postSchema)
    .use(invalidates({ result: postSchema, tags: () => invalidationsFor.postCreated() }))
    .mutation(({ ctx, input }) => createPost(ctx.em, ctx.viewer, input)),

  update: writerProcedure
    .meta({ openapi: { method: 'PATCH', path: '/posts/{id}', tags, summary: 'Edit your post', protect: true } })
    .input(updatePostInput)
    .output(postSchema)
    .use(invalidates({ result: postSchema, tags: ({ result }) => invalidationsFor.postUpdated(result.id) }))
    .mutation(({ ctx, input }) => updatePost(ctx.em, ctx.viewer, input)),

  delete: writerProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/posts/{id}',
        tags,
        summary: 'Delete your post (admins: any)',
        protect: true,
      },
    })
    .input(postIdInput)
    .output(deletedSchema)
    .use(invalidates({ result: deletedSchema, tags: ({ result }) => invalidationsFor.postDeleted(result.id) }))
    .mutation(({ ctx, input }) => deletePost(ctx.em, ctx.viewer, input.id)),

  like: writerProcedure
    .meta({
      openapi: { method: 'PUT', path: '/posts/{id}/like', tags, summary: 'Like a post (idempotent)', protect: true },
    })
    .input(postIdInput)
    .output(likeStateSchema)
    .use(
      invalidates({ result: likeStateSchema, tags: ({ result }) => invalidationsFor.postLikeChanged(result.postId) }),
    )
    .mutation(({ ctx, input }) => likePost(ctx.em, ctx.viewer, input.id)),

  unlike: writerProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/posts/{id}/like',
        tags,
        summary: 'Unlike a post (idempotent)',
        protect: true,
      },
    })
    .input(postIdInput)
    .output(likeStateSchema)
    .use(
      invalidates({ result: likeStateSchema, tags: ({ result }) => invalidationsFor.postLikeChanged(result.postId) }),
    )
    .mutation(({ ctx, input }) => unlikePost(ctx.em, ctx.viewer, input.id)),

  tags: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/tags', tags, summary: 'Most used tags with their post counts', protect: false },
    })
    .input(tagsInput)
    .use(cached({ ttlSeconds: 300, output: tagsOutput, tags: () => [cacheTags.postTags] }))
    .output(tagsOutput)
    .query(async ({ ctx, input }) => ({ items: await popularTags(ctx.em, input.limit) })),

  comments: commentsRouter,
} satisfies TRPCRouterRecord;
