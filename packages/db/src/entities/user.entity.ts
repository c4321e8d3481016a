import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, timestamp, updatedAt, uuidPrimaryKey } from './columns.js';

export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: uuidPrimaryKey(),
    /** Stored normalized (trimmed, lower-cased); uniqueness is also enforced on lower(email). */
    email: p.string().length(254),
    username: p.string().length(32),
    displayName: p.string().length(64),
    bio: p.text().default(''),
    passwordHash: p.text().hidden().lazy(),
    role: p.enum([...USER_ROLES]).default('user'),
    emailVerifiedAt: timestamp().nullable(),
    disabledAt: timestamp().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [
    {
      name: 'users_email_lower_unique',
      expression: 'create unique index "users_email_lower_unique" on "users" (lower("email"))',
    },
    {
      name: 'users_username_lower_unique',
      expression: 'create unique index "users_username_lower_unique" on "users" (lower("username"))',
    },
  ],
  indexes: [{ name: 'users_created_at_id_index', properties: ['createdAt', 'id'] }],
});

export type IUser = InferEntity<typeof User>;
