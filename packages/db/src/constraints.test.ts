import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from './entities/index.js';
import { createOrm, type MikroORM } from './orm.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

/** Raw inserts, so the database itself (not app code) is shown to refuse duplicates. */
describe('unique constraints', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const exec = (sql: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(sql, params);

  const user = (id: string, email: string, username: string) =>
    exec(
      `insert into users (id, email, username, display_name, password_hash, created_at, updated_at)
       values (?, ?, ?, 'x', 'hash', now(), now())`,
      [id, email, username],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    await user('0190a000-0000-7000-8000-000000000001', 'ada@example.com', 'ada');
    await exec(
      `insert into posts (id, author_id, title, body, created_at, updated_at)
       values ('0190a000-0000-7000-8000-000000000101', '0190a000-0000-7000-8000-000000000001', 't', 'b', now(), now())`,
    );
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('email is unique case-insensitively', async () => {
    await expect(user('0190a000-0000-7000-8000-000000000002', 'ADA@Example.com', 'ada2')).rejects.toThrow(
      /users_email_lower_unique/,
    );
  });

  it('username is unique case-insensitively', async () => {
    await expect(user('0190a000-0000-7000-8000-000000000003', 'other@example.com', 'ADA')).rejects.toThrow(
      /users_username_lower_unique/,
    );
  });

  it('a failing insert reports the constraint, never the bound values (no hashes in logs)', async () => {
    const secretHash = '$argon2id$v=19$m=19456,t=2,p=1$recognizable-secret-hash';
    const em = orm.em.fork();
    em.create(User, { email: 'not-leaked@example.com', username: 'ada', displayName: 'Dup', passwordHash: secretHash });
    const error: unknown = await em.flush().then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(/users_username_lower_unique/);
    expect(message).not.toContain('recognizable-secret-hash');
    expect(message).not.toContain('not-leaked@example.com');
    // Loggers print the stack too.
    const stack = error instanceof Error ? String(error.stack) : '';
    expect(stack).not.toContain('recognizable-secret-hash');
  });

  it('a user likes a post at most once', async () => {
    const like = () =>
      exec(
        `insert into post_likes (user_id, post_id, created_at)
         values ('0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000101', now())`,
      );
    await like();
    await expect(like()).rejects.toThrow(/post_likes_pkey/);
  });

  it('tag names, session token hashes and email token hashes are unique', async () => {
    await exec(`insert into tags (id, name, created_at) values ('0190a000-0000-7000-8000-000000000201', 'ts', now())`);
    await expect(
      exec(`insert into tags (id, name, created_at) values ('0190a000-0000-7000-8000-000000000202', 'ts', now())`),
    ).rejects.toThrow(/tags_name_unique/);

    const session = (id: string) =>
      exec(
        `insert into sessions (id, user_id, family_id, token_hash, expires_at, created_at)
         values (?, '0190a000-0000-7000-8000-000000000001', ?, ?, now() + interval '1 day', now())`,
        [id, id, 'a'.repeat(64)],
      );
    await session('0190a000-0000-7000-8000-000000000301');
    await expect(session('0190a000-0000-7000-8000-000000000302')).rejects.toThrow(/sessions_token_hash_unique/);

    const emailToken = (id: string) =>
      exec(
        `insert into email_tokens (id, user_id, purpose, token_hash, expires_at, created_at)
         values (?, '0190a000-0000-7000-8000-000000000001', 'verify-email', ?, now() + interval '1 day', now())`,
        [id, 'b'.repeat(64)],
      );
    await emailToken('0190a000-0000-7000-8000-000000000401');
    await expect(emailToken('0190a000-0000-7000-8000-000000000402')).rejects.toThrow(/email_tokens_token_hash_unique/);
  });
});
