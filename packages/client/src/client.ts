import {
  createTRPCClient,
  createTRPCUntypedClient,
  type HTTPHeaders,
  httpBatchLink,
  httpLink,
  type Operation,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import type { AppRouter } from './api-types.js';
import { createTokenSession, type LogoutEvent, type TokenSession } from './session.js';
import { authorizeRequest, COOKIE_PATHS, tokenLink } from './token-link.js';
import { memoryTokenStore, type TokenStore, type Tokens } from './token-store.js';

export type FetchFunction = typeof globalThis.fetch;
type ExtraHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

export interface InkwellClientOptions {
  /** The api's tRPC endpoint, e.g. `https://api.example.com/trpc`. */
  url: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction;
  /** Where tokens live; defaults to `memoryTokenStore()`. */
  tokenStore?: TokenStore;
  /** Sent with every call; the client's own `Authorization` wins when it holds a token. */
  headers?: ExtraHeaders;
  /** Called once the api refuses to refresh the session; the store is already cleared. */
  onLogout?: (event: LogoutEvent) => void;
  /**
   * Browsers send the api's httpOnly refresh cookie only with `include` (the default); Node has
   * no cookie jar and uses the refresh token from the store instead.
   */
  credentials?: CookiePolicy;
}

/** `RequestInit['credentials']`, spelled out so Node consumers need no DOM types. */
export type CookiePolicy = 'include' | 'same-origin' | 'omit';

export type InkwellClient = TRPCClient<AppRouter>;

/** `fetch` with the cookie policy applied to every request, the refresh call included. */
function withCredentials(fetchImpl: FetchFunction | undefined, credentials: CookiePolicy): FetchFunction {
  return (input, init) => (fetchImpl ?? globalThis.fetch)(input, { ...init, credentials });
}

async function extraHeaders(extra: ExtraHeaders | undefined): Promise<Record<string, string>> {
  return typeof extra === 'function' ? await extra() : (extra ?? {});
}

/** The app's headers plus `Authorization` for the calls of one HTTP request. */
async function headersFor(
  session: TokenSession,
  ops: readonly Pick<Operation, 'context'>[],
  extra: ExtraHeaders | undefined,
): Promise<HTTPHeaders> {
  const base = await extraHeaders(extra);
  const token = await authorizeRequest(session, ops);
  return token ? { ...base, authorization: `Bearer ${token}` } : base;
}

/**
 * The client's link chain: token handling first, then a split between a batching link for
 * ordinary calls and a plain one for the procedures that set cookies (a `Set-Cookie` must
 * belong to one call's response, and those answers must not be streamed).
 */
export function inkwellLinks(options: InkwellClientOptions, session: TokenSession): TRPCLink<AnyRouter>[] {
  const fetch = withCredentials(options.fetch, options.credentials ?? 'include');
  return [
    tokenLink<AnyRouter>(session),
    splitLink<AnyRouter>({
      condition: (op) => COOKIE_PATHS.has(op.path),
      true: httpLink({ url: options.url, fetch, headers: ({ op }) => headersFor(session, [op], options.headers) }),
      false: httpBatchLink({
        url: options.url,
        fetch,
        // One batch is one HTTP request: all its calls carry the token current when it is sent.
        headers: ({ opList }) => headersFor(session, opList, options.headers),
      }),
    }),
  ];
}

/** The session behind a client: the store plus the one `auth.refresh` call in flight. */
export function inkwellSession(options: InkwellClientOptions): TokenSession {
  // The refresh call carries no access token: an expired one would get it refused.
  const refresher = createTRPCUntypedClient<AnyRouter>({
    links: [
      httpLink({
        url: options.url,
        fetch: withCredentials(options.fetch, options.credentials ?? 'include'),
        headers: () => extraHeaders(options.headers),
      }),
    ],
  });
  return createTokenSession({
    store: options.tokenStore ?? memoryTokenStore(),
    onLogout: options.onLogout,
    refresh: (tokens: Tokens | null) =>
      refresher.mutation('auth.refresh', tokens?.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
  });
}

/**
 * A typed client for the whole api. It attaches the stored access token, refreshes once on
 * UNAUTHORIZED (shared by concurrent calls), retries, and reports a lost session to `onLogout`.
 */
export function createInkwellClient(options: InkwellClientOptions): InkwellClient {
  return createTRPCClient<AppRouter>({ links: inkwellLinks(options, inkwellSession(options)) });
}
