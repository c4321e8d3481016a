import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type InkwellClientOptions,
  inkwellLinks,
  inkwellSession,
  isInkwellError,
  memoryTokenStore,
  type SessionChange,
} from '../src/index.js';
import { type PeerRouter, startTokenPeer, type TokenPeer } from './token-peer.js';

let peer: TokenPeer;

beforeEach(async () => {
  peer = await startTokenPeer({ refreshDelayMs: 100 });
});
afterEach(async () => {
  await peer.close();
});

/** The client's own link chain, typed for the peer's router instead of the api's. */
function peerClient(options: Partial<InkwellClientOptions> = {}) {
  const tokenStore = options.tokenStore ?? memoryTokenStore();
  const settings: InkwellClientOptions = { url: peer.url, tokenStore, ...options };
  const session = inkwellSession(settings);
  const changes: SessionChange[] = [];
  session.subscribe((change) => changes.push(change));
  const client = createTRPCClient<PeerRouter>({ links: inkwellLinks(settings, session) });
  const logouts = () => changes.filter((change) => change.type === 'refresh-rejected');
  return { client, tokenStore, changes, logouts };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token handling in the link', () => {
  it('stores the pair from auth.login and sends the access token', async () => {
    const { client, tokenStore } = peerClient();
    await client.auth.login.mutate();
    expect(await tokenStore.get()).toEqual({ accessToken: 'access-1', refreshToken: 'refresh-1', refreshAt: null });
    await expect(client.posts.byId.query({ id: 'p1' })).resolves.toEqual({ id: 'p1', seenWith: 'access-1' });
    expect(peer.refreshCalls).toBe(0);
  });

  it('N concurrent calls with an expired token share exactly one refresh', async () => {
    const { client, tokenStore } = peerClient();
    await client.auth.login.mutate();
    peer.expireAccessTokens();

    // Ten calls in one tick (one batched request) and twenty more spread over separate requests,
    // some failing while the refresh is in flight and some after it finished.
    const batched = Array.from({ length: 10 }, (_, i) => client.posts.byId.query({ id: `b${i}` }));
    const spread = Array.from({ length: 20 }, async (_, i) => {
      await pause(i * 10);
      return client.posts.byId.query({ id: `s${i}` });
    });
    const results = await Promise.all([...batched, ...spread]);

    expect(peer.refreshCalls).toBe(1);
    expect(results.map((r) => r.seenWith)).toEqual(Array(30).fill('access-2'));
    expect(await tokenStore.get()).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2', refreshAt: null });
  });

  it('retries a call once: a second UNAUTHORIZED reaches the caller', async () => {
    const { client } = peerClient();
    await client.auth.login.mutate();
    peer.expireAccessTokens();
    peer.issueExpiredTokens();
    const requestsBefore = peer.httpRequests;

    const error = await client.posts.byId.query({ id: 'x' }).catch((e: unknown) => e);

    expect(isInkwellError(error, 'UNAUTHORIZED')).toBe(true);
    expect(peer.refreshCalls).toBe(1);
    // The call, the refresh, the one retry: no loop.
    expect(peer.httpRequests - requestsBefore).toBe(3);
  });

  it('a refused refresh clears the store and reports one logout for all waiting calls', async () => {
    const { client, tokenStore, logouts } = peerClient();
    await client.auth.login.mutate();
    peer.expireAccessTokens();
    peer.rejectRefresh();

    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => client.posts.byId.query({ id: `${i}` })),
    );

    expect(settled.every((s) => s.status === 'rejected' && isInkwellError(s.reason, 'UNAUTHORIZED'))).toBe(true);
    expect(peer.refreshCalls).toBe(1);
    expect(await tokenStore.get()).toBeNull();
    expect(logouts()).toHaveLength(1);
    const [logout] = logouts();
    expect(logout?.type === 'refresh-rejected' && isInkwellError(logout.error, 'UNAUTHORIZED')).toBe(true);
  });

  it('a network failure during refresh keeps the tokens and does not log out', async () => {
    const failingRefresh: typeof fetch = (input, init) =>
      String(input).includes('auth.refresh') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
    const { client, tokenStore, logouts } = peerClient({ fetch: failingRefresh });
    await client.auth.login.mutate();
    peer.expireAccessTokens();

    const error = await client.posts.byId.query({ id: 'x' }).catch((e: unknown) => e);

    expect(isInkwellError(error, 'UNAUTHORIZED')).toBe(true);
    expect(await tokenStore.get()).toEqual({ accessToken: 'access-1', refreshToken: 'refresh-1', refreshAt: null });
    expect(logouts()).toEqual([]);
  });

  it('signs in again over an expired token: login is sent without it', async () => {
    const { client, tokenStore } = peerClient();
    await client.auth.login.mutate();
    peer.expireAccessTokens();
    await client.auth.login.mutate();
    expect(await tokenStore.get()).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2', refreshAt: null });
    expect(peer.refreshCalls).toBe(0);
  });

  it('logout with an expired access token refreshes, logs out, and forgets the tokens', async () => {
    const { client, tokenStore } = peerClient();
    await client.auth.login.mutate();
    peer.expireAccessTokens();
    await expect(client.auth.logout.mutate()).resolves.toEqual({ ok: true });
    expect(peer.refreshCalls).toBe(1);
    expect(await tokenStore.get()).toBeNull();
  });

  it('auth.logout forgets the tokens; anonymous calls never trigger a logout', async () => {
    const { client, tokenStore, logouts } = peerClient();
    await client.auth.login.mutate();
    await client.auth.logout.mutate();
    expect(await tokenStore.get()).toBeNull();

    await expect(client.posts.open.query()).resolves.toBe('anyone');
    const error = await client.posts.byId.query({ id: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(isInkwellError(error, 'UNAUTHORIZED')).toBe(true);
    expect(logouts()).toEqual([]);
  });
});
