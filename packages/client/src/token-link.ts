import { type Operation, TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { TokenSession } from './session.js';
import { readTokens } from './token-store.js';

/** Key in `op.context` of the access token a call was sent with (read by the http links). */
export const ACCESS_TOKEN_CONTEXT_KEY = 'inkwellAccessToken';

/**
 * Procedures whose answer is a fresh token pair the client stores. They are sent without the
 * access token (a stale one would make the api refuse the request before it signs anyone in)
 * and never retried.
 */
export const SIGN_IN_PATHS: ReadonlySet<string> = new Set(['auth.login', 'auth.refresh']);
/** Procedures after which the client forgets the tokens, whatever the (final) answer. */
export const SIGN_OUT_PATHS: ReadonlySet<string> = new Set(['auth.logout', 'auth.logoutAll']);
/** Procedures that set or clear the refresh cookie: sent alone, never in a batch. */
export const COOKIE_PATHS: ReadonlySet<string> = new Set([
  'auth.login',
  'auth.refresh',
  'auth.logout',
  'auth.logoutAll',
]);

export function accessTokenOf(op: Pick<Operation, 'context'>): string | null {
  const token = op.context[ACCESS_TOKEN_CONTEXT_KEY];
  return typeof token === 'string' ? token : null;
}

function isUnauthorized(error: TRPCClientError<AnyRouter>): boolean {
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null && Reflect.get(data, 'code') === 'UNAUTHORIZED';
}

/**
 * Sends each call with the stored access token; on UNAUTHORIZED waits for the session's one
 * shared refresh and retries the call once. Also stores the pair `auth.login` returns and
 * forgets it on logout. Place it before the terminating (http) links.
 */
export function tokenLink<TRouter extends AnyRouter>(session: TokenSession): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | null = null;
        let closed = false;
        // Results pass through this chain so a stored token is in place before the caller resumes.
        let settled: Promise<void> = Promise.resolve();
        const after = (step: () => void | Promise<void>) => {
          settled = settled.then(step).catch((error: unknown) => observer.error(TRPCClientError.from(toError(error))));
        };

        const send = async (isRetry: boolean) => {
          const accessToken = SIGN_IN_PATHS.has(op.path) ? null : await session.accessToken();
          if (closed) return;
          const attempt = { ...op, context: { ...op.context, [ACCESS_TOKEN_CONTEXT_KEY]: accessToken } };
          subscription = next(attempt).subscribe({
            next(envelope) {
              after(async () => {
                if (SIGN_IN_PATHS.has(op.path) && envelope.result.type === 'data') {
                  const tokens = readTokens(envelope.result.data);
                  if (tokens) await session.signedIn(tokens);
                }
                if (SIGN_OUT_PATHS.has(op.path)) await session.signedOut();
                observer.next(envelope);
              });
            },
            error(error) {
              const retryable =
                !isRetry &&
                !closed &&
                op.type !== 'subscription' &&
                !SIGN_IN_PATHS.has(op.path) &&
                isUnauthorized(error);
              after(async () => {
                if (retryable && (await session.refreshAfter(accessToken))) {
                  await send(true);
                  return;
                }
                if (SIGN_OUT_PATHS.has(op.path)) await session.signedOut();
                observer.error(error);
              });
            },
            complete() {
              after(() => observer.complete());
            },
          });
        };

        after(() => send(false));
        return () => {
          closed = true;
          subscription?.unsubscribe();
        };
      });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
