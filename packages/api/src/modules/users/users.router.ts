import type { TRPCRouterRecord } from '@trpc/server';
import { cacheTags, invalidationsFor } from '../../cache/tags.js';
import { cached, invalidates } from '../../middleware/cache.js';
import { adminProcedure, publicProcedure, writerProcedure } from '../../procedures.js';
import { personalizePostPage, postPageTags } from '../posts/posts.cache.js';
import { postsPageSchema } from '../posts/posts.schema.js';
import { listPosts, loadLikedPosts, personalizePage } from '../posts/posts.service.js';
import {
  byUsernameInput,
  likedPostsInput,
  listUsersInput,
  moderatedUserSchema,
  publicProfileSchema,
  setDisabledInput,
  setRoleInput,
  updateProfileInput,
  userIdInput,
  userPostsInput,
  usersPageSchema,
} from './users.schema.js';
import {
  assertUserExists,
  getUserById,
  getUserByUsername,
  listUsers,
  setDisabled,
  setRole,
  updateProfile,
} from './users.service.js';

const tags = ['users'];

/** Procedures of `users`; see DESIGN.md "API surface". */
export const usersRouter = {
  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users', tags, summary: 'List public profiles', protect: false } })
    .input(listUsersInput)
    .use(cached({ ttlSeconds: 120, output: usersPageSchema, tags: () => [cacheTags.userLists] }))
    .output(usersPageSchema)
    .query(({ ctx, input }) => listUsers(ctx.em, input)),

  byId: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{id}', tags, summary: 'A public profile', protect: false } })
    .input(userIdInput)
    .use(cached({ ttlSeconds: 300, output: publicProfileSchema, tags: (_input, user) => [cacheTags.user(user.id)] }))
    .output(publicProfileSchema)
    .query(({ ctx, input }) => getUserById(ctx.em, input.id)),

  byUsername: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/users/by-username/{username}',
        tags,
        summary: 'A public profile by username (case-insensitive)',
        protect: false,
      },
    })
    .input(byUsernameInput)
    .use(cached({ ttlSeconds: 300, output: publicProfileSchema, tags: (_input, user) => [cacheTags.user(user.id)] }))
    .output(publicProfileSchema)
    .query(({ ctx, input }) => getUserByUsername(ctx.em, input.username)),

  updateProfile: writerProcedure
    .meta({ openapi: { method: 'PATCH', path: '/users/me', tags, summary: 'Edit your own profile', protect: true } })
    .input(updateProfileInput)
    .output(publicProfileSchema)
    .use(invalidates({ result: publicProfileSchema, tags: ({ result }) => invalidationsFor.userChanged(result.id) }))
    .mutation(({ ctx, input }) => updateProfile(ctx.em, ctx.viewer, input)),

  posts: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{id}/posts', tags, summary: "A user's posts", protect: false } })
    .input(userPostsInput)
    .use(
      cached({
        ttlSeconds: 120,
        output: postsPageSchema,
        tags: (input, page) => [cacheTags.user(input.id), ...postPageTags(page)],
        personalize: personalizePostPage,
      }),
    )
    .output(postsPageSchema)
    // Shared by every viewer (cached): likedByMe is filled in by `personalize`.
    .query(async ({ ctx, input }) => {
      await assertUserExists(ctx.em, input.id);
      return listPosts(ctx.em, null, {
        sort: input.sort,
        author: input.id,
        cursor: input.cursor,
        limit: input.limit,
      });
    }),

  likedPosts: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/users/{id}/liked-posts',
        tags,
        summary: 'Posts a user liked, most recent like first',
        protect: false,
      },
    })
    .input(likedPostsInput)
    .output(postsPageSchema)
    .query(async ({ ctx, input }) => {
      await assertUserExists(ctx.em, input.id);
      const page = await loadLikedPosts(ctx.em, input.id, input);
      return personalizePage(ctx.em, ctx.viewer?.userId ?? null, page);
    }),

  setRole: adminProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/users/{id}/role',
        tags,
        summary: "Change a user's role (admin; ends their sessions)",
        protect: true,
      },
    })
    .input(setRoleInput)
    .output(moderatedUserSchema)
    .use(invalidates({ result: moderatedUserSchema, tags: ({ result }) => invalidationsFor.userChanged(result.id) }))
    .mutation(({ ctx, input }) => setRole(ctx.em, ctx.viewer, input)),

  setDisabled: adminProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/users/{id}/disabled',
        tags,
        summary: 'Disable or re-enable a user (admin; disabling ends their sessions)',
        protect: true,
      },
    })
    .input(setDisabledInput)
    .output(moderatedUserSchema)
    .use(invalidates({ result: moderatedUserSchema, tags: ({ result }) => invalidationsFor.userChanged(result.id) }))
    .mutation(({ ctx, input }) => setDisabled(ctx.em, ctx.viewer, input)),
} satisfies TRPCRouterRecord;
