import { USER_ROLES } from '@inkwell/db';
import { z } from 'zod';
import { pageInputShape, pageOutput } from '../../lists.js';

const isoDate = z.iso.datetime();

/** How an author appears on posts and comments. */
export const userRefSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
});

/** A public profile: never the email, the password hash or moderation state. */
export const publicProfileSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  role: z.enum(USER_ROLES),
  createdAt: isoDate,
});

export const usersPageSchema = pageOutput(publicProfileSchema);

/** Result of an admin action on a user. */
export const moderatedUserSchema = z.object({
  id: z.uuid(),
  role: z.enum(USER_ROLES),
  disabled: z.boolean(),
});

export const listUsersInput = z.strictObject({ ...pageInputShape });

export const userIdInput = z.strictObject({ id: z.uuid() });

export const byUsernameInput = z.strictObject({ username: z.string().min(1).max(32) });

export const updateProfileInput = z
  .strictObject({
    displayName: z.string().min(1).max(64).optional(),
    bio: z.string().max(1_000).optional(),
  })
  .refine((input) => input.displayName !== undefined || input.bio !== undefined, {
    message: 'Nothing to update',
  });

export const userPostsInput = z.strictObject({
  id: z.uuid(),
  sort: z.enum(['new', 'top']).default('new'),
  ...pageInputShape,
});

export const likedPostsInput = z.strictObject({ id: z.uuid(), ...pageInputShape });

export const setRoleInput = z.strictObject({ id: z.uuid(), role: z.enum(USER_ROLES) });

export const setDisabledInput = z.strictObject({ id: z.uuid(), disabled: z.boolean() });

export type UserRef = z.infer<typeof userRefSchema>;
export type PublicProfile = z.infer<typeof publicProfileSchema>;
export type ModeratedUser = z.infer<typeof moderatedUserSchema>;
export type ListUsersInput = z.infer<typeof listUsersInput>;
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;
export type SetRoleInput = z.infer<typeof setRoleInput>;
export type SetDisabledInput = z.infer<typeof setDisabledInput>;
