import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser, type SignedInUser } from '../../test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../test/harness.js';
import { httpFailure, trpcClient } from '../../test/trpc-client.js';

/** The content procedures through real HTTP with real access tokens. */
describe('users, posts and comments over HTTP', () => {
  let api: TestApi;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let admin: SignedInUser;
  let unverified: SignedInUser;

  beforeAll(async () => {
    api = await startTestApi();
    [alice, bob, admin, unverified] = await Promise.all([
      createSignedInUser(api, { username: 'alice' }),
      createSignedInUser(api, { username: 'bob' }),
      createSignedInUser(api, { username: 'moderator', role: 'admin' }),
      createSignedInUser(api, { username: 'newcomer', verified: false }),
    ]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('runs every content procedure end to end', async () => {
    const asAlice = trpcClient(api, alice);
    const asBob = trpcClient(api, bob);
    const anonymous = trpcClient(api);

    const post = await asAlice.posts.create.mutate({
      title: 'Over HTTP',
      body: '**markdown** <i>kept</i>',
      tags: ['Http'],
    });
    expect(post).toMatchObject({
      title: 'Over HTTP',
      body: '**markdown** <i>kept</i>',
      tags: ['http'],
      likedByMe: false,
    });
    expect(await anonymous.posts.byId.query({ id: post.id })).toEqual(post);
    const edited = await asAlice.posts.update.mutate({ id: post.id, body: 'edited' });
    expect(edited.body).toBe('edited');

    expect(await asBob.posts.like.mutate({ id: post.id })).toEqual({ postId: post.id, likedByMe: true, likeCount: 1 });
    expect((await asBob.posts.list.query({ tag: 'http' })).items.map((p) => [p.id, p.likedByMe])).toEqual([
      [post.id, true],
    ]);
    expect((await anonymous.posts.list.query({ tag: 'http' })).items[0]?.likedByMe).toBe(false);
    expect((await asAlice.posts.byId.query({ id: post.id })).likedByMe).toBe(false);
    expect((await anonymous.users.likedPosts.query({ id: bob.userId })).items.map((p) => p.id)).toEqual([post.id]);
    expect(await asBob.posts.unlike.mutate({ id: post.id })).toEqual({
      postId: post.id,
      likedByMe: false,
      likeCount: 0,
    });
    expect((await anonymous.posts.tags.query({})).items).toContainEqual({ name: 'http', postCount: 1 });

    const comment = await asBob.posts.comments.create.mutate({ postId: post.id, body: 'First!' });
    const reply = await asAlice.posts.comments.create.mutate({ postId: post.id, parentId: comment.id, body: 'Hi' });
    expect(reply.depth).toBe(1);
    expect((await asBob.posts.comments.update.mutate({ id: comment.id, body: 'First, edited' })).body).toBe(
      'First, edited',
    );
    const thread = await anonymous.posts.comments.list.query({ postId: post.id });
    expect(thread.items.map((c) => [c.body, c.depth])).toEqual([
      ['First, edited', 0],
      ['Hi', 1],
    ]);
    expect((await anonymous.posts.comments.thread.query({ id: comment.id })).items).toHaveLength(2);
    expect(await asBob.posts.comments.delete.mutate({ id: comment.id })).toEqual({ id: comment.id, deleted: true });
    const tombstoned = await anonymous.posts.comments.list.query({ postId: post.id, scope: 'all' });
    expect(tombstoned.items[0]).toMatchObject({ id: comment.id, deleted: true, body: null, author: null });
    expect((await anonymous.posts.byId.query({ id: post.id })).commentCount).toBe(1);

    const profile = await asAlice.users.updateProfile.mutate({ bio: 'Writes over HTTP' });
    expect(await anonymous.users.byId.query({ id: alice.userId })).toEqual(profile);
    expect(await anonymous.users.byUsername.query({ username: 'ALICE' })).toEqual(profile);
    expect((await anonymous.users.posts.query({ id: alice.userId })).items.map((p) => p.id)).toEqual([post.id]);
    const everyone = await anonymous.users.list.query({ limit: 100 });
    expect(everyone.items.map((u) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob', 'moderator']));
    expect(JSON.stringify(everyone)).not.toContain(alice.email);

    expect(await asAlice.posts.delete.mutate({ id: post.id })).toEqual({ id: post.id, deleted: true });
    expect(await httpFailure(anonymous.posts.byId.query({ id: post.id }))).toMatchObject({ status: 404 });
  });

  it('anonymous callers get 401 and unverified users 403 on every write', async () => {
    const [postId, commentId] = await (async () => {
      const post = await trpcClient(api, alice).posts.create.mutate({ title: 't', body: 'b' });
      const comment = await trpcClient(api, alice).posts.comments.create.mutate({ postId: post.id, body: 'c' });
      return [post.id, comment.id];
    })();
    const anonymous = trpcClient(api);
    expect(await httpFailure(anonymous.posts.create.mutate({ title: 't', body: 'b' }))).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
    expect(await httpFailure(anonymous.posts.like.mutate({ id: postId }))).toMatchObject({ status: 401 });

    const asNewcomer = trpcClient(api, unverified);
    const writes = [
      asNewcomer.posts.create.mutate({ title: 't', body: 'b' }),
      asNewcomer.posts.like.mutate({ id: postId }),
      asNewcomer.posts.comments.create.mutate({ postId, body: 'c' }),
      asNewcomer.posts.comments.create.mutate({ postId, parentId: commentId, body: 'c' }),
      asNewcomer.users.updateProfile.mutate({ bio: 'b' }),
    ];
    for (const write of writes) {
      expect(await httpFailure(write)).toEqual({ status: 403, code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' });
    }
    // reading still works for them
    expect((await asNewcomer.posts.byId.query({ id: postId })).id).toBe(postId);
  });

  it('others get 403 for existing posts and comments (no silent no-op), 404 for missing ones; admins moderate', async () => {
    const asAlice = trpcClient(api, alice);
    const asBob = trpcClient(api, bob);
    const asAdmin = trpcClient(api, admin);
    const post = await asAlice.posts.create.mutate({ title: 'Alice only', body: 'original' });
    const comment = await asAlice.posts.comments.create.mutate({ postId: post.id, body: 'mine' });

    // Started one at a time: a call started early and awaited late is an unhandled rejection meanwhile.
    for (const attempt of [
      () => asBob.posts.update.mutate({ id: post.id, title: 'pwned' }),
      () => asBob.posts.delete.mutate({ id: post.id }),
      () => asBob.posts.comments.update.mutate({ id: comment.id, body: 'pwned' }),
      () => asBob.posts.comments.delete.mutate({ id: comment.id }),
      () => asAdmin.posts.update.mutate({ id: post.id, title: 'edited by admin' }),
      () => asAdmin.posts.comments.update.mutate({ id: comment.id, body: 'edited by admin' }),
    ]) {
      expect(await httpFailure(attempt())).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    const anonymous = trpcClient(api);
    expect(await anonymous.posts.byId.query({ id: post.id })).toMatchObject({ title: 'Alice only', body: 'original' });
    expect((await anonymous.posts.comments.thread.query({ id: comment.id })).items[0]?.body).toBe('mine');

    const missing = '01890000-0000-7000-8000-000000000000';
    expect(await httpFailure(asBob.posts.update.mutate({ id: missing, title: 'x' }))).toMatchObject({ status: 404 });
    expect(await httpFailure(asBob.posts.comments.delete.mutate({ id: missing }))).toMatchObject({ status: 404 });

    expect(await asAdmin.posts.comments.delete.mutate({ id: comment.id })).toEqual({ id: comment.id, deleted: true });
    expect(await asAdmin.posts.delete.mutate({ id: post.id })).toEqual({ id: post.id, deleted: true });
    expect(await httpFailure(anonymous.posts.byId.query({ id: post.id }))).toMatchObject({ status: 404 });
  });

  it('profiles can only be edited by their owner: the input has no user id to forge', async () => {
    const failure = await httpFailure(
      // @ts-expect-error `id` is not part of the input: PATCH /users/me edits the caller
      trpcClient(api, bob).users.updateProfile.mutate({ id: alice.userId, bio: 'forged' }),
    );
    expect(failure).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect((await trpcClient(api).users.byId.query({ id: alice.userId })).bio).not.toBe('forged');
  });

  it('only admins set roles and disable users; both end the target’s sessions at once', async () => {
    const target = await createSignedInUser(api);
    const asTarget = trpcClient(api, target);
    const asAdmin = trpcClient(api, admin);
    expect(
      await httpFailure(trpcClient(api, alice).users.setRole.mutate({ id: target.userId, role: 'admin' })),
    ).toEqual({ status: 403, code: 'FORBIDDEN', reason: undefined });
    expect(
      await httpFailure(trpcClient(api, alice).users.setDisabled.mutate({ id: target.userId, disabled: true })),
    ).toMatchObject({ status: 403 });
    await asTarget.posts.create.mutate({ title: 'still here', body: 'b' });

    expect(await asAdmin.users.setRole.mutate({ id: target.userId, role: 'admin' })).toEqual({
      id: target.userId,
      role: 'admin',
      disabled: false,
    });
    expect(await httpFailure(asTarget.posts.create.mutate({ title: 't', body: 'b' }))).toMatchObject({ status: 401 });

    const second = await createSignedInUser(api);
    await asAdmin.users.setDisabled.mutate({ id: second.userId, disabled: true });
    expect(await httpFailure(trpcClient(api, second).posts.create.mutate({ title: 't', body: 'b' }))).toMatchObject({
      status: 401,
    });

    expect(await httpFailure(asAdmin.users.setRole.mutate({ id: admin.userId, role: 'user' }))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      reason: 'SELF_MODERATION',
    });
    expect(await httpFailure(asAdmin.users.setDisabled.mutate({ id: admin.userId, disabled: true }))).toMatchObject({
      status: 403,
      reason: 'SELF_MODERATION',
    });
  });

  it('50 concurrent like requests by one user leave one like; many users keep the counter true', async () => {
    const post = await trpcClient(api, alice).posts.create.mutate({ title: 'Like me', body: 'b' });
    const unbatched = trpcClient(api, bob, { batch: false });
    await Promise.all(Array.from({ length: 50 }, () => unbatched.posts.like.mutate({ id: post.id })));
    expect((await trpcClient(api).posts.byId.query({ id: post.id })).likeCount).toBe(1);

    const fans = await Promise.all(Array.from({ length: 8 }, () => createSignedInUser(api)));
    await Promise.all(
      fans.flatMap((fan) => {
        const client = trpcClient(api, fan, { batch: false });
        return [client.posts.like.mutate({ id: post.id }), client.posts.like.mutate({ id: post.id })];
      }),
    );
    const [row] = await api.deps.orm.em
      .fork()
      .execute<{ counter: number; likes: number }[]>(
        'select like_count as counter, (select count(*)::int from post_likes where post_id = p.id) as likes from posts p where id = ?',
        [post.id],
      );
    expect(row).toEqual({ counter: 9, likes: 9 });
  });

  it('answers malformed input with 400, never 500', async () => {
    const anonymous = trpcClient(api);
    expect(await httpFailure(anonymous.posts.list.query({ cursor: '%%%' }))).toMatchObject({ status: 400 });
    expect(await httpFailure(anonymous.posts.list.query({ limit: 1000 }))).toMatchObject({ status: 400 });
    expect(await httpFailure(anonymous.posts.byId.query({ id: 'not-a-uuid' }))).toMatchObject({ status: 400 });
    expect(
      await httpFailure(anonymous.posts.comments.list.query({ postId: '01890000-0000-7000-8000-000000000000' })),
    ).toMatchObject({ status: 404 });
    expect(
      await httpFailure(trpcClient(api, alice).posts.create.mutate({ title: 'x'.repeat(201), body: 'b' })),
    ).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });

  it('answers well-formed cursors PostgreSQL cannot take (year 0000, likes past int4) with 400 INVALID_CURSOR', async () => {
    const anonymous = trpcClient(api);
    const post = await trpcClient(api, alice).posts.create.mutate({ title: 'Cursor target', body: 'b' });
    const cursor = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const id = '01890000-0000-7000-8000-000000000000';
    const at = '2024-01-01T00:00:00.000000Z';
    const yearZero = '0000-01-01T00:00:00.000000Z';
    const invalidCursor = { status: 400, code: 'BAD_REQUEST', reason: 'INVALID_CURSOR' };
    const calls = [
      anonymous.posts.list.query({ cursor: cursor({ sort: 'new', at: yearZero, id }) }),
      anonymous.posts.list.query({ sort: 'top', cursor: cursor({ sort: 'top', likes: 0, at: yearZero, id }) }),
      anonymous.posts.list.query({ sort: 'top', cursor: cursor({ sort: 'top', likes: 2_147_483_648, at, id }) }),
      anonymous.users.list.query({ cursor: cursor({ at: yearZero, id }) }),
      anonymous.posts.comments.list.query({ postId: post.id, cursor: cursor({ at: yearZero, id }) }),
    ];
    for (const call of calls) expect(await httpFailure(call)).toEqual(invalidCursor);
    // The largest int4 is still a valid position.
    const top = await anonymous.posts.list.query({
      sort: 'top',
      cursor: cursor({ sort: 'top', likes: 2_147_483_647, at, id }),
    });
    expect(top.items.map((item) => item.id)).toContain(post.id);
  });
});
