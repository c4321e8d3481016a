import { TRPCClientError } from '@trpc/client';
import { readTokens, type TokenStore, type Tokens } from './token-store.js';

/** Why the client dropped the caller's tokens: the api refused to refresh them. */
export interface LogoutEvent {
  reason: 'refresh-rejected';
  /** The api's answer to the refresh call. */
  error: unknown;
}

/** Calls `auth.refresh`; resolves with the api's answer, rejects with the client error. */
export type RefreshCall = (tokens: Tokens | null) => Promise<unknown>;

/**
 * The caller's tokens and the one refresh in flight. Concurrent calls that fail with
 * UNAUTHORIZED all wait on the same promise, so an expired access token costs one refresh
 * (the api rotates refresh tokens: a second refresh with the old one would revoke the family).
 */
export interface TokenSession {
  accessToken(): Promise<string | null>;
  /** Resolves true when the store now holds an access token other than `stale`. */
  refreshAfter(stale: string | null): Promise<boolean>;
  signedIn(tokens: Tokens): Promise<void>;
  signedOut(): Promise<void>;
}

export function createTokenSession(options: {
  store: TokenStore;
  refresh: RefreshCall;
  onLogout?: ((event: LogoutEvent) => void) | undefined;
}): TokenSession {
  const { store, refresh, onLogout } = options;
  let inFlight: Promise<boolean> | null = null;

  async function runRefresh(stale: string | null): Promise<boolean> {
    const current = await store.get();
    // Another call refreshed between this call's failure and now: just retry with the new token.
    if (current && current.accessToken !== stale) return true;
    let answer: unknown;
    try {
      answer = await refresh(current);
    } catch (error) {
      // A network failure says nothing about the tokens: keep them, the call fails as it did.
      if (!(error instanceof TRPCClientError) || error.data == null) return false;
      await store.clear();
      // Only a caller who had a session is logged out; an anonymous call just stays anonymous.
      if (current) onLogout?.({ reason: 'refresh-rejected', error });
      return false;
    }
    const next = readTokens(answer);
    if (!next) return false;
    // Cookie-only refresh answers may omit the refresh token: keep the one we have.
    await store.set({
      accessToken: next.accessToken,
      refreshToken: next.refreshToken ?? current?.refreshToken ?? null,
    });
    return true;
  }

  return {
    async accessToken() {
      return (await store.get())?.accessToken ?? null;
    },
    refreshAfter(stale) {
      inFlight ??= runRefresh(stale).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    async signedIn(tokens) {
      await store.set(tokens);
    },
    async signedOut() {
      await store.clear();
    },
  };
}
