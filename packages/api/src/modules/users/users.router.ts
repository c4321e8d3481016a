import type { TRPCRouterRecord } from '@trpc/server';
import { adminProcedure, publicProcedure, writerProcedure } from '../../procedures.js';
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
    .output(usersPageSchema)
    .query(({ ctx, input }) => listUsers(ctx.em, input)),

  byId: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{id}', tags, summary: 'A public profile', protect: false } })
    .input(userIdInput)
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
    .output(publicProfileSchema)
    .query(({ ctx, input }) => getUserByUsername(ctx.em, input.username)),

  updateProfile: writerProcedure
    .meta({ openapi: { method: 'PATCH', path: '/users/me', tags, summary: 'Edit your own profile', protect: true } })
    .input(updateProfileInput)
    .output(publicProfileSchema)
    .mutation(({ ctx, input }) => updateProfile(ctx.em, ctx.viewer, input)),

  posts: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{id}/posts', tags, summary: "A user's posts", protect: false } })
    .input(userPostsInput)
    .output(postsPageSchema)
    .query(async ({ ctx, input }) => {
      await assertUserExists(ctx.em, input.id);
      return listPosts(ctx.em, ctx.viewer?.userId ?? null, {
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
    .mutation(({ ctx, input }) => setDisabled(ctx.em, ctx.viewer, input)),
} satisfies TRPCRouterRecord;
