// Type tests: `expectTypeOf` is checked by tsc (`pnpm typecheck` compiles test/), the runtime
// assertions by vitest.
import { TRPCClientError } from '@trpc/client';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AppRouter,
  type FieldIssue,
  fieldIssues,
  type InkwellClient,
  type InkwellErrorData,
  isInkwellError,
  type RouterInputs,
  type RouterOutputs,
  type TokenStore,
  type Tokens,
} from '../src/index.js';

function apiError(data: InkwellErrorData): TRPCClientError<AppRouter> {
  return new TRPCClientError(data.message, { result: { error: { message: data.message, code: -32600, data } } });
}

describe('error helpers', () => {
  const badRequest = apiError({
    code: 'BAD_REQUEST',
    message: 'Invalid input',
    requestId: 'req-1',
    httpStatus: 400,
    path: 'posts.create',
    issues: [
      { path: 'title', message: 'Too long', code: 'too_big' },
      { path: 'tags.2', message: 'Invalid tag', code: 'invalid_format' },
    ],
  });

  it('isInkwellError narrows to the api error shape, by code', () => {
    const unknownError: unknown = badRequest;
    if (!isInkwellError(unknownError)) throw new Error('expected an api error');
    expectTypeOf(unknownError.data.code).toEqualTypeOf<TRPC_ERROR_CODE_KEY>();
    expectTypeOf(unknownError.data.requestId).toEqualTypeOf<string | null>();
    expectTypeOf(unknownError.data.issues).toEqualTypeOf<FieldIssue[] | undefined>();
    expectTypeOf(unknownError.data.reason).toEqualTypeOf<string | undefined>();
    expectTypeOf(unknownError.data.httpStatus).toEqualTypeOf<number>();

    expect(isInkwellError(badRequest, 'BAD_REQUEST')).toBe(true);
    expect(isInkwellError(badRequest, 'NOT_FOUND')).toBe(false);
    expect(isInkwellError(new Error('network down'))).toBe(false);
    // A transport failure is a TRPCClientError without the api's shape.
    expect(isInkwellError(new TRPCClientError('fetch failed'))).toBe(false);
  });

  it('fieldIssues maps dotted paths to messages', () => {
    expect(fieldIssues(badRequest)).toEqual({ title: 'Too long', 'tags.2': 'Invalid tag' });
    expect(fieldIssues(new Error('x'))).toEqual({});
    expectTypeOf(fieldIssues).returns.toEqualTypeOf<Record<string, string>>();
  });
});

describe('public types', () => {
  it('a token store may be sync or async', () => {
    expectTypeOf<ReturnType<TokenStore['get']>>().toEqualTypeOf<Tokens | null | Promise<Tokens | null>>();
    expectTypeOf<Tokens>().toEqualTypeOf<{
      accessToken: string;
      refreshToken?: string | null;
      refreshAt?: number | null;
    }>();
    const asyncStore: TokenStore = { get: async () => null, set: async () => {}, clear: async () => {} };
    expect(asyncStore).toBeDefined();
  });

  // Checked by tsc only.
  it('the client exposes the api namespaces', () => {
    expectTypeOf<InkwellClient>().toHaveProperty('auth');
    expectTypeOf<InkwellClient>().toHaveProperty('users');
    expectTypeOf<InkwellClient>().toHaveProperty('posts');
  });
});

describe('router shapes (pinned: a change here is a change for every client)', () => {
  it('auth.login takes credentials and answers with the tokens (the refresh token unless cookieOnly) and the account', () => {
    expectTypeOf<RouterInputs['auth']['login']>().toEqualTypeOf<{
      email: string;
      password: string;
      cookieOnly?: boolean;
    }>();
    expectTypeOf<RouterOutputs['auth']['login']>().toMatchTypeOf<{
      tokenType: 'Bearer';
      accessToken: string;
      accessTokenExpiresAt: string;
      refreshToken: string | null;
      refreshTokenExpiresAt: string;
      user: { id: string; email: string; role: 'user' | 'admin'; emailVerified: boolean };
    }>();
    // The login answer is what the token store keeps.
    expectTypeOf<RouterOutputs['auth']['login']>().toMatchTypeOf<Tokens>();
  });

  it('auth.refresh takes the refresh token in the body or none (cookie)', () => {
    // tRPC adds `void` to optional inputs so `mutate()` needs no argument.
    expectTypeOf<RouterInputs['auth']['refresh']>().toEqualTypeOf<
      // biome-ignore lint/suspicious/noConfusingVoidType: pins tRPC's own optional-input type
      { refreshToken?: string; cookieOnly?: boolean } | undefined | void
    >();
    expectTypeOf<RouterOutputs['auth']['refresh']>().toMatchTypeOf<Tokens>();
  });

  it('auth.me answers with dates as ISO strings (no transformer)', () => {
    expectTypeOf<RouterOutputs['auth']['me']['createdAt']>().toEqualTypeOf<string>();
    expectTypeOf<RouterOutputs['auth']['me']>().not.toHaveProperty('passwordHash');
  });

  it('posts.create takes title, body and optional tags; posts.byId answers the viewer-specific post', () => {
    expectTypeOf<RouterInputs['posts']['create']>().toEqualTypeOf<{ title: string; body: string; tags?: string[] }>();
    expectTypeOf<RouterInputs['posts']['byId']>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<RouterOutputs['posts']['byId']>().toEqualTypeOf<{
      id: string;
      title: string;
      body: string;
      tags: string[];
      author: { id: string; username: string; displayName: string };
      likeCount: number;
      commentCount: number;
      createdAt: string;
      updatedAt: string;
      likedByMe: boolean;
    }>();
  });

  it('posts.list is keyset-paginated and takes what infinite queries send (cursor null, direction)', () => {
    expectTypeOf<RouterInputs['posts']['list']>().toEqualTypeOf<{
      cursor?: string | null;
      limit?: number;
      direction?: 'forward' | 'backward';
      sort?: 'new' | 'top';
      author?: string;
      tag?: string;
      q?: string;
    }>();
    expectTypeOf<RouterOutputs['posts']['list']>().toEqualTypeOf<{
      items: RouterOutputs['posts']['byId'][];
      nextCursor: string | null;
    }>();
  });
});
