import type { EntityManager, UserRole } from '@inkwell/db';
import { uuidv7 } from 'uuidv7';
import { createInternalContext, type Viewer } from '../context.js';
import { createCaller } from '../root.js';
import { pgArray } from '../sql.js';
import type { TestApi } from './harness.js';

export interface InsertedUser {
  id: string;
  username: string;
  viewer: Viewer;
}

let userCounter = 0;

/** Inserts a user straight into the database (no password: these users never sign in over HTTP). */
export async function insertUser(
  em: EntityManager,
  options: { role?: UserRole; verified?: boolean; username?: string } = {},
): Promise<InsertedUser> {
  const id = uuidv7();
  userCounter += 1;
  const username = options.username ?? `user${userCounter}_${id.slice(-6)}`;
  const verified = options.verified ?? true;
  await em.execute(
    `insert into users (id, email, username, display_name, bio, password_hash, role, email_verified_at, created_at, updated_at)
     values (?, ?, ?, ?, '', 'not-a-hash', ?, ?, now(), now())`,
    [
      id,
      `${username}@example.test`,
      username,
      `Display ${username}`,
      options.role ?? 'user',
      verified ? new Date() : null,
    ],
  );
  return {
    id,
    username,
    viewer: { userId: id, sessionId: uuidv7(), role: options.role ?? 'user', emailVerified: verified },
  };
}

/** A tRPC caller acting as `viewer` (anonymous when null), with the api's real dependencies. */
export function callerFor(api: TestApi, viewer: Viewer | null = null) {
  return createCaller(createInternalContext(api.deps, viewer));
}

/**
 * Inserts `count` posts by `authorId` with one SQL statement, each tagged with `tags`; returns
 * their ids newest first. Timestamps are one second apart so the order is known.
 */
export async function insertPosts(
  em: EntityManager,
  authorId: string,
  count: number,
  tags: string[] = [],
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => uuidv7());
  await em.execute(
    `insert into posts (id, author_id, title, body, like_count, comment_count, created_at, updated_at)
     select id, ?, 'Post ' || n, 'Body of post ' || n, 0, 0,
            now() - interval '1 hour' + n * interval '1 second', now()
     from unnest(?::uuid[]) with ordinality as input(id, n)`,
    [authorId, pgArray(ids)],
  );
  if (tags.length > 0) {
    await em.execute(
      `insert into tags (id, name, created_at) select gen_random_uuid(), name, now() from unnest(?::text[]) as name
       on conflict (name) do nothing`,
      [pgArray(tags)],
    );
    await em.execute(
      `insert into post_tags (post_id, tag_id) select p.id, t.id from unnest(?::uuid[]) as p(id)
       cross join tags t where t.name = any(?::text[])`,
      [pgArray(ids), pgArray(tags)],
    );
  }
  return ids.reverse();
}

/** Awaits `promise` and returns the tRPC error code it failed with (fails the test if it succeeded). */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
      return error.code;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}
