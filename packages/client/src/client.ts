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
import {
  createTokenSession,
  type RefreshMode,
  type SessionChange,
  type SessionListener,
  type TokenSession,
} from './session.js';
import { type SessionHint, storageSessionHint } from './session-hint.js';
import { authorizeRequest, COOKIE_PATHS, tokenLink } from './token-link.js';
import { memoryTokenStore, type TokenStore } from './token-store.js';

export type FetchFunction = typeof globalThis.fetch;
/** Headers sent with every call: a record, or a function of none that returns one. */
export type ExtraHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/** How calls made in the same tick share HTTP requests. */
export interface BatchOptions {
  /**
   * Most calls in one HTTP request; more are split over several requests. Must not exceed the
   * api's `TRPC_MAX_BATCH_SIZE` (which refuses larger batches whole). Default: 20, the api's default.
   */
  maxItems?: number;
  /**
   * Longest URL of a batched GET (queries travel in the query string); a longer batch is split.
   * Default: 4,000 characters, below what common proxies and servers accept.
   */
  maxURLLength?: number;
}

/** The api's default `TRPC_MAX_BATCH_SIZE`; test/batching.test.ts checks the two agree. */
export const DEFAULT_BATCH: Required<BatchOptions> = { maxItems: 20, maxURLLength: 4_000 };

export interface InkwellClientOptions {
  /** The api's tRPC endpoint, e.g. `https://api.example.com/trpc` or `/trpc` (same origin). */
  url: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction;
  /** Where tokens live; defaults to a `memoryTokenStore()` of this client's own. */
  tokenStore?: TokenStore;
  /** Sent with every call; the client's own `Authorization` wins when it holds a token. */
  headers?: ExtraHeaders;
  /**
   * Browsers send the api's httpOnly refresh cookie only with `include` (the default); Node has
   * no cookie jar and uses the refresh token from the store instead.
   */
  credentials?: CookiePolicy;
  /** Batching of calls made in one tick (default {@link DEFAULT_BATCH}); `false`: one request per call. */
  batch?: BatchOptions | false;
  /**
   * Where the refresh token travels: `cookie` (default in browsers: the token never reaches
   * scripts) or `body` (default elsewhere). See {@link RefreshMode}.
   */
  refreshMode?: RefreshMode;
  /**
   * Cookie mode: remembers (without any secret) that a refresh cookie was issued, so a reload
   * restores the sign-in and an anonymous visitor makes no failing refresh call. Default:
   * `storageSessionHint()` (localStorage, memory where that is unavailable).
   */
  sessionHint?: SessionHint;
}

/** `RequestInit['credentials']`, spelled out so Node consumers need no DOM types. */
export type CookiePolicy = 'include' | 'same-origin' | 'omit';

export type InkwellClient = TRPCClient<AppRouter>;

/** A page with a DOM: browsers (not Node, Deno or Bun without one, nor web workers). */
function inBrowser(): boolean {
  const document: unknown = Reflect.get(globalThis, 'document');
  return typeof document === 'object' && document !== null;
}

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
  const single = httpLink({ url: options.url, fetch, headers: ({ op }) => headersFor(session, [op], options.headers) });
  const batch = options.batch === false ? null : { ...DEFAULT_BATCH, ...options.batch };
  return [
    tokenLink<AnyRouter>(session),
    batch === null
      ? single
      : splitLink<AnyRouter>({
          condition: (op) => COOKIE_PATHS.has(op.path),
          true: single,
          false: httpBatchLink({
            url: options.url,
            fetch,
            maxItems: batch.maxItems,
            maxURLLength: batch.maxURLLength,
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
  const mode = options.refreshMode ?? (inBrowser() ? 'cookie' : 'body');
  return createTokenSession({
    store: options.tokenStore ?? memoryTokenStore(),
    mode,
    hint: mode === 'cookie' ? (options.sessionHint ?? storageSessionHint()) : null,
    refresh: (input) => refresher.mutation('auth.refresh', input),
  });
}

const sessions = new WeakMap<object, TokenSession>();

/**
 * A typed client for the whole api. It attaches the stored access token, refreshes ahead of its
 * expiry and once on UNAUTHORIZED (one refresh shared by concurrent calls), retries, and reports
 * sign-in changes to {@link onSessionChange}. Create one per page, process or (on a server
 * rendering for many users) per incoming request: its tokens are its own.
 */
export function createInkwellClient(options: InkwellClientOptions): InkwellClient {
  const session = inkwellSession(options);
  const client = createTRPCClient<AppRouter>({ links: inkwellLinks(options, session) });
  sessions.set(client, session);
  return client;
}

function sessionOf(client: InkwellClient): TokenSession {
  const session = sessions.get(client);
  if (!session) throw new Error('not a client made by createInkwellClient');
  return session;
}

/** Calls `listener` on every sign-in, sign-out and refused refresh of `client`; returns the unsubscribe. */
export function onSessionChange(client: InkwellClient, listener: SessionListener): () => void {
  return sessionOf(client).subscribe(listener);
}

/** Whether `client` holds (or, in cookie mode, may hold) a sign-in: worth calling `auth.me`. */
export function hasSession(client: InkwellClient): boolean {
  return sessionOf(client).hasSession();
}

export type { RefreshMode, SessionChange, SessionListener };
