// A shared package of hooks over the React entry, compiled with `declaration: true` by
// package.test.ts: its declarations must name the client's option types (no TS4058).
import { createInkwellClient, type InkwellClientOptions, isInkwellError, useInkwell } from '@inkwell/client/react';

export const usePostOptions = (id: string) => useInkwell().posts.byId.queryOptions({ id });
export const useFeedOptions = (tag?: string) =>
  useInkwell().posts.list.infiniteQueryOptions({ tag, limit: 10 }, { getNextPageParam: (page) => page.nextCursor });
export const useLikeOptions = () => useInkwell().posts.like.mutationOptions();
export const usePostKey = (id: string) => useInkwell().posts.byId.queryKey({ id });
export const clientFor = (options: InkwellClientOptions) => createInkwellClient(options);
export const isMissing = (error: unknown) => isInkwellError(error, 'NOT_FOUND');
