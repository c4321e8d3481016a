import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, errorCode, type InsertedUser, insertPosts, insertUser } from '../../test/content-fixtures.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

const MISSING = '01890000-0000-7000-8000-000000000000';

describe('users', () => {
  let api: TestApi;
  let alice: InsertedUser;
  let bob: InsertedUser;
  let admin: InsertedUser;

  async function liveSessions(userId: string): Promise<number> {
    const [row] = await api.deps.orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from sessions where user_id = ? and revoked_at is null', [
        userId,
      ]);
    return row?.n ?? -1;
  }

  async function addSession(userId: string): Promise<void> {
    await api.deps.orm.em.fork().execute(
      `insert into sessions (id, user_id, family_id, token_hash, expires_at, created_at)
       values (gen_random_uuid(), ?, gen_random_uuid(), md5(random()::text) || md5(random()::text),
               now() + interval '1 day', now())`,
      [userId],
    );
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = api.deps.orm.em.fork();
    alice = await insertUser(em, { username: 'Alice' });
    bob = await insertUser(em, { username: 'bob' });
    admin = await insertUser(em, { username: 'root', role: 'admin' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('public profiles never include the email or moderation state', async () => {
    const profile = await callerFor(api).users.byId({ id: alice.id });
    expect(profile).toEqual({
      id: alice.id,
      username: 'Alice',
      displayName: 'Display Alice',
      bio: '',
      role: 'user',
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(await callerFor(api, alice.viewer).users.list({ limit: 100 }))).not.toContain('@');
    expect(await callerFor(api).users.byUsername({ username: 'aLiCe' })).toEqual(profile);
    expect(await errorCode(callerFor(api).users.byId({ id: MISSING }))).toBe('NOT_FOUND');
    expect(await errorCode(callerFor(api).users.byUsername({ username: 'nobody' }))).toBe('NOT_FOUND');
  });

  it('lists users newest first through keyset pages', async () => {
    const first = await callerFor(api).users.list({ limit: 2 });
    expect(first.items.map((user) => user.id)).toEqual([admin.id, bob.id]);
    const second = await callerFor(api).users.list({ limit: 2, cursor: String(first.nextCursor) });
    expect(second.items.map((user) => user.id)).toEqual([alice.id]);
    expect(second.nextCursor).toBeNull();
    expect(await errorCode(callerFor(api).users.list({ cursor: 'eyJ4IjoxfQ' }))).toBe('BAD_REQUEST');
  });

  it('updates only the caller’s own profile, within limits, stored as given', async () => {
    const caller = callerFor(api, bob.viewer);
    const bio = '<p>Hello</p> & welcome\n';
    const updated = await caller.users.updateProfile({ displayName: 'Bob <B>', bio });
    expect(updated).toMatchObject({ id: bob.id, displayName: 'Bob <B>', bio });
    expect((await callerFor(api).users.byId({ id: bob.id })).bio).toBe(bio);
    expect(await errorCode(caller.users.updateProfile({ bio: 'x'.repeat(1_001) }))).toBe('BAD_REQUEST');
    expect(await errorCode(caller.users.updateProfile({ displayName: 'x'.repeat(65) }))).toBe('BAD_REQUEST');
    expect(await errorCode(caller.users.updateProfile({}))).toBe('BAD_REQUEST');
    expect(await errorCode(callerFor(api).users.updateProfile({ bio: 'anon' }))).toBe('UNAUTHORIZED');
  });

  it("lists a user's posts", async () => {
    const ids = await insertPosts(api.deps.orm.em.fork(), alice.id, 3);
    const page = await callerFor(api).users.posts({ id: alice.id, limit: 2 });
    expect(page.items.map((post) => post.id)).toEqual(ids.slice(0, 2));
    expect(page.items.every((post) => post.author.id === alice.id)).toBe(true);
    const rest = await callerFor(api).users.posts({ id: alice.id, cursor: String(page.nextCursor) });
    expect(rest.items.map((post) => post.id)).toEqual(ids.slice(2));
    expect(await errorCode(callerFor(api).users.posts({ id: MISSING }))).toBe('NOT_FOUND');
  });

  it('admins change roles and disable users, ending their sessions; others get FORBIDDEN', async () => {
    const target = await insertUser(api.deps.orm.em.fork());
    await addSession(target.id);
    await addSession(target.id);
    expect(await errorCode(callerFor(api, alice.viewer).users.setRole({ id: target.id, role: 'admin' }))).toBe(
      'FORBIDDEN',
    );
    expect(await errorCode(callerFor(api, alice.viewer).users.setDisabled({ id: target.id, disabled: true }))).toBe(
      'FORBIDDEN',
    );
    expect(await liveSessions(target.id)).toBe(2);

    const asAdmin = callerFor(api, admin.viewer);
    expect(await asAdmin.users.setRole({ id: target.id, role: 'admin' })).toEqual({
      id: target.id,
      role: 'admin',
      disabled: false,
    });
    expect(await liveSessions(target.id)).toBe(0);
    expect((await callerFor(api).users.byId({ id: target.id })).role).toBe('admin');

    await addSession(target.id);
    expect(await asAdmin.users.setDisabled({ id: target.id, disabled: true })).toEqual({
      id: target.id,
      role: 'admin',
      disabled: true,
    });
    expect(await liveSessions(target.id)).toBe(0);
    expect(await asAdmin.users.setDisabled({ id: target.id, disabled: false })).toMatchObject({ disabled: false });
    expect(await errorCode(asAdmin.users.setRole({ id: MISSING, role: 'user' }))).toBe('NOT_FOUND');
    expect(await errorCode(asAdmin.users.setDisabled({ id: MISSING, disabled: true }))).toBe('NOT_FOUND');
  });

  it('an admin cannot demote or disable themself', async () => {
    const asAdmin = callerFor(api, admin.viewer);
    expect(await errorCode(asAdmin.users.setRole({ id: admin.id, role: 'user' }))).toBe('FORBIDDEN');
    expect(await errorCode(asAdmin.users.setDisabled({ id: admin.id, disabled: true }))).toBe('FORBIDDEN');
    expect((await callerFor(api).users.byId({ id: admin.id })).role).toBe('admin');
  });
});
