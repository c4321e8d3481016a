// Type-checked only: the React entry's hooks are typed by the same router.

import {
  createInkwellClient,
  InkwellProvider,
  type RouterOutputs,
  useInkwell,
  useInkwellSession,
} from '@inkwell/client/react';
import { QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { createElement } from 'react';

export const queryClient = new QueryClient();
export const inkwellClient = createInkwellClient({ url: '/trpc' });
export const Provider: typeof InkwellProvider = InkwellProvider;

export function usePost(id: string): RouterOutputs['posts']['byId'] | undefined {
  const inkwell = useInkwell();
  return useQuery(inkwell.posts.byId.queryOptions({ id })).data;
}

export function useWrongInput() {
  const inkwell = useInkwell();
  // @ts-expect-error the id is a string
  return inkwell.posts.byId.queryOptions({ id: 7 });
}

// The README's React example: the provider, the session state, an infinite feed.
export const App = () => createElement(InkwellProvider, { client: inkwellClient, queryClient });
export function useMe() {
  return useQuery({ ...useInkwell().auth.me.queryOptions(), enabled: useInkwellSession().signedIn });
}
export function useFeed() {
  return useInfiniteQuery(
    useInkwell().posts.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (page) => page.nextCursor }),
  );
}
