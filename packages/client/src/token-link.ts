import { type Operation, TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { TokenSession } from './session.js';

/** Key in `op.context` of the call's {@link AuthTicket}. */
const TICKET_CONTEXT_KEY = 'inkwellAuth';

/**
 * How one attempt of a call is authenticated. The http links fill `sentWith` when they build the
 * request, from the store at that moment, so every call in a batch carries the same (newest)
 * token and a failure is judged by the token that was really sent.
 */
export interface AuthTicket {
  attach: boolean;
  sentWith: string | null;
}

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

function isTicket(value: unknown): value is AuthTicket {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'attach') === 'boolean';
}

/**
 * The `Authorization` value for the calls of one HTTP request (one call, or one batch), noted
 * on each call's ticket. Calls not sent through {@link tokenLink} get none.
 */
export async function authorizeRequest(
  session: TokenSession,
  ops: readonly Pick<Operation, 'context'>[],
): Promise<string | null> {
  const tickets = ops.map((op) => op.context[TICKET_CONTEXT_KEY]).filter(isTicket);
  const token = tickets.some((ticket) => ticket.attach) ? await session.accessToken() : null;
  for (const ticket of tickets) ticket.sentWith = token;
  return token;
}

/**
 * In cookie mode the sign-in procedures are asked to keep the refresh token out of the answer
 * (`cookieOnly`), so it never reaches the page's scripts.
 */
function withCookieOnly(input: unknown): unknown {
  if (input === undefined || input === null) return { cookieOnly: true };
  if (typeof input !== 'object' || Array.isArray(input) || Reflect.has(input, 'cookieOnly')) return input;
  return { ...input, cookieOnly: true };
}

function isUnauthorized(error: TRPCClientError<AnyRouter>): boolean {
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null && Reflect.get(data, 'code') === 'UNAUTHORIZED';
}

/**
 * Gives each call an {@link AuthTicket} (the terminating http links attach the token through
 * `authorizeRequest` in their `headers`); on UNAUTHORIZED waits for the session's one shared
 * refresh and retries the call once. Also stores the pair `auth.login`/`auth.refresh` return
 * and forgets it on logout. Place it before the terminating links.
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

        const send = (isRetry: boolean) => {
          if (closed) return;
          const signIn = SIGN_IN_PATHS.has(op.path);
          const ticket: AuthTicket = { attach: !signIn, sentWith: null };
          const input = signIn && session.mode === 'cookie' ? withCookieOnly(op.input) : op.input;
          const attempt = { ...op, input, context: { ...op.context, [TICKET_CONTEXT_KEY]: ticket } };
          subscription = next(attempt).subscribe({
            next(envelope) {
              after(async () => {
                if (signIn && envelope.result.type === 'data') {
                  await session.stored(envelope.result.data, op.path === 'auth.login' ? 'sign-in' : 'refresh');
                }
                if (SIGN_OUT_PATHS.has(op.path)) await session.signedOut();
                observer.next(envelope);
              });
            },
            error(error) {
              const retryable = !isRetry && !closed && op.type !== 'subscription' && !signIn && isUnauthorized(error);
              after(async () => {
                if (retryable && (await session.refreshAfter(ticket.sentWith))) {
                  send(true);
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
