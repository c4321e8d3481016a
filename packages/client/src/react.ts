/**
 * `@inkwell/client/react`: TanStack Query bindings for the api. Create one client with
 * `createInkwellClient` and one `QueryClient`, wrap the app in `InkwellProvider`, and build
 * query options with `useInkwell()` (`useQuery(inkwell.posts.byId.queryOptions({ id }))`).
 */
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCContext, createTRPCOptionsProxy, type TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { createContext, createElement, type ReactNode, useContext, useEffect, useState } from 'react';
import type { AppRouter } from './api-types.js';
import { hasSession, type InkwellClient, onSessionChange } from './client.js';

type InkwellContext = ReturnType<typeof createTRPCContext<AppRouter>>;
const context: InkwellContext = createTRPCContext<AppRouter>();

/** What `useInkwellSession()` tells a component about the client's sign-in. */
export interface InkwellSessionState {
  /** The client holds (or, in cookie mode, may hold) a sign-in: `auth.me` is worth asking. */
  signedIn: boolean;
  /** Sign-ins, sign-outs and refused refreshes seen since the provider mounted. */
  changes: number;
}

const SessionContext = createContext<InkwellSessionState | null>(null);

export interface InkwellProviderProps {
  client: InkwellClient;
  queryClient: QueryClient;
  /**
   * Reset every query (cached data dropped, mounted queries fetched again) after a sign-in, a
   * sign-out and a refused refresh, so nothing fetched as one viewer is shown to the next.
   * Default true; turn it off to handle `onSessionChange` yourself.
   */
  resetOnSessionChange?: boolean;
  children?: ReactNode;
}

/**
 * Provides the client, the QueryClient (as `QueryClientProvider` does) and the session state.
 * The reset runs in an effect after the render that saw the change, so queries a component
 * enables only when signed in (`enabled: signedIn`) are already off when it happens.
 */
export function InkwellProvider(props: InkwellProviderProps): ReactNode {
  const { client, queryClient, resetOnSessionChange = true, children } = props;
  const [state, setState] = useState<InkwellSessionState>(() => ({ signedIn: hasSession(client), changes: 0 }));

  useEffect(() => {
    setState((previous) => ({ ...previous, signedIn: hasSession(client) }));
    return onSessionChange(client, () =>
      setState((previous) => ({ signedIn: hasSession(client), changes: previous.changes + 1 })),
    );
  }, [client]);

  useEffect(() => {
    if (state.changes > 0 && resetOnSessionChange) void queryClient.resetQueries();
  }, [state.changes, resetOnSessionChange, queryClient]);

  return createElement(
    QueryClientProvider,
    { client: queryClient },
    createElement(context.TRPCProvider, {
      trpcClient: client,
      queryClient,
      // biome-ignore lint/correctness/noChildrenProp: TRPCProvider's props type requires `children`
      children: createElement(SessionContext.Provider, { value: state }, children),
    }),
  );
}

/** The client's sign-in state; re-renders on every change. */
export function useInkwellSession(): InkwellSessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useInkwellSession needs an <InkwellProvider> above it');
  return state;
}

/**
 * The same option factories outside React: in a route loader, a test, or a server rendering one
 * request (with that request's own client and QueryClient, never shared between users).
 */
export function createInkwellOptions(options: {
  client: InkwellClient;
  queryClient: QueryClient;
}): TRPCOptionsProxy<AppRouter> {
  return createTRPCOptionsProxy<AppRouter>({ client: options.client, queryClient: options.queryClient });
}

/** Typed query/mutation option factories for every procedure. */
export const useInkwell: InkwellContext['useTRPC'] = context.useTRPC;
/** The raw client, for imperative calls inside components. */
export const useInkwellClient: InkwellContext['useTRPCClient'] = context.useTRPCClient;

export type { TRPCOptionsProxy as InkwellOptionsProxy } from '@trpc/tanstack-react-query';
export type { AppRouter, ErrorBody, FieldIssue, RouterInputs, RouterOutputs } from './api-types.js';
export {
  type BatchOptions,
  createInkwellClient,
  type InkwellClient,
  type InkwellClientOptions,
  onSessionChange,
} from './client.js';
export {
  fieldIssues,
  type InkwellError,
  type InkwellErrorCode,
  type InkwellErrorData,
  isInkwellError,
  retryAfterSeconds,
} from './errors.js';
export type { RefreshMode, SessionChange } from './session.js';
export { memoryTokenStore, type TokenStore, type Tokens } from './token-store.js';
