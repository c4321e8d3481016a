import { TRPCClientError } from '@trpc/client';
import type { SessionHint } from './session-hint.js';
import { readRefreshEnd, readTokens, type TokenStore, type Tokens } from './token-store.js';

/**
 * Where the refresh token travels. `cookie`: only in the api's httpOnly cookie (scripts never
 * see it; the default in browsers). `body`: in the request and answer bodies, kept in the token
 * store (the default elsewhere: Node has no cookie jar).
 */
export type RefreshMode = 'cookie' | 'body';

/** A change of the client's sign-in, as `onSessionChange` reports it. */
export type SessionChange =
  /** `auth.login` succeeded: the client holds a new sign-in. */
  | { type: 'signed-in' }
  /** `auth.logout` or `auth.logoutAll` answered: the client forgot its sign-in. */
  | { type: 'signed-out' }
  /** The api refused to refresh (session revoked or expired); the client forgot its sign-in. */
  | { type: 'refresh-rejected'; error: unknown };

export type SessionListener = (change: SessionChange) => void;

/** Calls `auth.refresh` with this input; resolves with the api's answer, rejects with the client error. */
export type RefreshCall = (input: { refreshToken?: string; cookieOnly?: true }) => Promise<unknown>;

/**
 * The caller's tokens and the one refresh in flight. Concurrent calls that need a refresh all
 * wait on the same promise, so an expired access token costs one refresh (the api rotates
 * refresh tokens: a second refresh with the old one would revoke the family).
 */
export interface TokenSession {
  readonly mode: RefreshMode;
  /** The token to send now; refreshes first when it is due (or, in cookie mode, when only the cookie is left). */
  accessToken(): Promise<string | null>;
  /** Resolves true when the store now holds an access token other than `stale`. */
  refreshAfter(stale: string | null): Promise<boolean>;
  /** Stores what `auth.login` (`sign-in`) or a direct `auth.refresh` call (`refresh`) answered. */
  stored(answer: unknown, kind: 'sign-in' | 'refresh'): Promise<void>;
  signedOut(): Promise<void>;
  /** Whether the client holds (or, in cookie mode, may hold) a sign-in right now. */
  hasSession(): boolean;
  subscribe(listener: SessionListener): () => void;
}

export function createTokenSession(options: {
  store: TokenStore;
  refresh: RefreshCall;
  mode: RefreshMode;
  /** Cookie mode only: whether a refresh cookie may exist (see session-hint.ts). */
  hint: SessionHint | null;
}): TokenSession {
  const { store, refresh, mode, hint } = options;
  const listeners = new Set<SessionListener>();
  let inFlight: Promise<boolean> | null = null;
  // A synchronous copy of "the store holds tokens", for hasSession(); stores may be async.
  let holdsTokens = false;
  const initial = store.get();
  if (initial instanceof Promise) {
    void initial.then(
      (tokens) => {
        holdsTokens = tokens !== null;
      },
      () => undefined,
    );
  } else {
    holdsTokens = initial !== null;
  }

  const emit = (change: SessionChange) => {
    for (const listener of [...listeners]) listener(change);
  };
  const save = async (tokens: Tokens) => {
    await store.set(mode === 'cookie' ? { ...tokens, refreshToken: null } : tokens);
    holdsTokens = true;
  };
  const forget = async () => {
    await store.clear();
    hint?.clear();
    holdsTokens = false;
  };

  async function runRefresh(stale: string | null): Promise<boolean> {
    const current = await store.get();
    // Another call refreshed between this call's failure and now: just retry with the new token.
    if (current && current.accessToken !== stale) return true;
    // Nothing to refresh with: an anonymous caller stays anonymous, without a failing request.
    const cookieMayExist = mode === 'cookie' && (current !== null || (hint?.get() ?? false));
    if (!cookieMayExist && !current) return false;
    const input = mode === 'cookie' ? { cookieOnly: true as const } : {};
    let answer: unknown;
    try {
      answer = await refresh(current?.refreshToken ? { ...input, refreshToken: current.refreshToken } : input);
    } catch (error) {
      // A network failure says nothing about the tokens: keep them, the call fails as it did.
      if (!(error instanceof TRPCClientError) || error.data == null) return false;
      await forget();
      emit({ type: 'refresh-rejected', error });
      return false;
    }
    const next = readTokens(answer);
    if (!next) return false;
    await save({ ...next, refreshToken: next.refreshToken ?? current?.refreshToken ?? null });
    const end = readRefreshEnd(answer);
    if (mode === 'cookie' && end) hint?.set(end);
    return true;
  }

  const session: TokenSession = {
    mode,
    async accessToken() {
      const current = await store.get();
      const due = current ? current.refreshAt != null && Date.now() >= current.refreshAt : hint?.get() === true;
      if (due) await session.refreshAfter(current?.accessToken ?? null);
      return due ? ((await store.get())?.accessToken ?? null) : (current?.accessToken ?? null);
    },
    refreshAfter(stale) {
      inFlight ??= runRefresh(stale).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    async stored(answer, kind) {
      const tokens = readTokens(answer);
      if (!tokens) return;
      await save(tokens);
      const end = readRefreshEnd(answer);
      if (mode === 'cookie' && end) hint?.set(end);
      if (kind === 'sign-in') emit({ type: 'signed-in' });
    },
    async signedOut() {
      await forget();
      emit({ type: 'signed-out' });
    },
    hasSession: () => holdsTokens || (mode === 'cookie' && (hint?.get() ?? false)),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return session;
}
