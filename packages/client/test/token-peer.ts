import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';

/**
 * A real tRPC HTTP server that speaks the api's auth protocol (login, rotating refresh, bearer
 * access tokens) with counters and switches, so the client's link can be driven into states the
 * real api reaches only by waiting: expired access tokens, a refused refresh, a slow refresh.
 */
export interface TokenPeer {
  url: string;
  /** Successful and refused `auth.refresh` calls so far. */
  refreshCalls: number;
  /** HTTP requests that reached the server (a batch counts once). */
  httpRequests: number;
  /** Forget every access token, as their expiry would. */
  expireAccessTokens(): void;
  /** Make `auth.refresh` issue access tokens that are already expired. */
  issueExpiredTokens(): void;
  /** Make `auth.refresh` answer UNAUTHORIZED from now on. */
  rejectRefresh(): void;
  close(): Promise<void>;
}

// Errors take the api's shape (`data` = { code, message, requestId, httpStatus, path }).
const t = initTRPC.context<{ accessToken: string | null }>().create({
  errorFormatter: ({ shape, error }) => ({
    message: error.message,
    code: shape.code,
    data: {
      code: error.code,
      message: error.message,
      requestId: null,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path ?? null,
    },
  }),
});

function tokenInput(value: unknown): { refreshToken?: string } {
  if (typeof value !== 'object' || value === null) return {};
  const refreshToken: unknown = Reflect.get(value, 'refreshToken');
  return typeof refreshToken === 'string' ? { refreshToken } : {};
}

interface PeerState {
  validAccess: Set<string>;
  refreshToken: string | null;
  serial: number;
  refreshCalls: number;
  refuseRefresh: boolean;
  issueExpired: boolean;
  refreshDelayMs: number;
}

export function buildPeerRouter(state: PeerState) {
  const issue = () => {
    state.serial += 1;
    const pair = { accessToken: `access-${state.serial}`, refreshToken: `refresh-${state.serial}` };
    if (!state.issueExpired) state.validAccess.add(pair.accessToken);
    state.refreshToken = pair.refreshToken;
    return pair;
  };
  // Like the api, a request that carries a bad token is refused, whatever the procedure.
  const base = t.procedure.use(({ ctx, next }) => {
    if (ctx.accessToken !== null && !state.validAccess.has(ctx.accessToken)) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Access token expired' });
    }
    return next();
  });
  const authed = base.use(({ ctx, next }) => {
    if (!ctx.accessToken) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to do this' });
    return next({ ctx: { accessToken: ctx.accessToken } });
  });
  return t.router({
    auth: t.router({
      login: base.mutation(() => issue()),
      refresh: base.input(tokenInput).mutation(async ({ input }) => {
        state.refreshCalls += 1;
        await new Promise((resolve) => setTimeout(resolve, state.refreshDelayMs));
        if (state.refuseRefresh || input.refreshToken !== state.refreshToken) {
          throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Refresh token revoked' });
        }
        return issue();
      }),
      logout: authed.mutation(() => {
        state.refreshToken = null;
        return { ok: true };
      }),
    }),
    posts: t.router({
      byId: authed
        .input((value: unknown) => ({ id: String(Reflect.get(Object(value), 'id')) }))
        .query(({ input, ctx }) => ({
          id: input.id,
          seenWith: ctx.accessToken,
        })),
      open: base.query(() => 'anyone'),
    }),
  });
}

export type PeerRouter = ReturnType<typeof buildPeerRouter>;

export async function startTokenPeer(options: { refreshDelayMs?: number } = {}): Promise<TokenPeer> {
  const state: PeerState = {
    validAccess: new Set<string>(),
    refreshToken: null,
    serial: 0,
    refreshCalls: 0,
    refuseRefresh: false,
    issueExpired: false,
    refreshDelayMs: options.refreshDelayMs ?? 50,
  };
  let httpRequests = 0;
  const server = createHTTPServer({
    router: buildPeerRouter(state),
    createContext: ({ req }) => {
      httpRequests += 1;
      const header = req.headers.authorization;
      return { accessToken: header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('peer is not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get refreshCalls() {
      return state.refreshCalls;
    },
    get httpRequests() {
      return httpRequests;
    },
    expireAccessTokens: () => state.validAccess.clear(),
    issueExpiredTokens: () => {
      state.issueExpired = true;
    },
    rejectRefresh: () => {
      state.refuseRefresh = true;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
