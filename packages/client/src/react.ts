/**
 * `@inkwell/client/react`: TanStack Query bindings for the api. Create one client with
 * `createInkwellClient` and one `QueryClient`, wrap the app in `InkwellProvider`, and build
 * query options with `useInkwell()` (`useQuery(inkwell.posts.byId.queryOptions({ id }))`).
 */
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from './api-types.js';

type InkwellContext = ReturnType<typeof createTRPCContext<AppRouter>>;
const context: InkwellContext = createTRPCContext<AppRouter>();

/** Provides the client and the QueryClient: `<InkwellProvider trpcClient={c} queryClient={q}>`. */
export const InkwellProvider: InkwellContext['TRPCProvider'] = context.TRPCProvider;
/** Typed query/mutation option factories for every procedure. */
export const useInkwell: InkwellContext['useTRPC'] = context.useTRPC;
/** The raw client, for imperative calls inside components. */
export const useInkwellClient: InkwellContext['useTRPCClient'] = context.useTRPCClient;

export type { TRPCOptionsProxy as InkwellOptionsProxy } from '@trpc/tanstack-react-query';
export type { AppRouter, RouterInputs, RouterOutputs } from './api-types.js';
export { createInkwellClient, type InkwellClient, type InkwellClientOptions } from './client.js';
export { fieldIssues, isInkwellError } from './errors.js';
export { memoryTokenStore, type TokenStore, type Tokens } from './token-store.js';
