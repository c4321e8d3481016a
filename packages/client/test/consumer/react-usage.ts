// Type-checked only: the React entry's hooks are typed by the same router.

import { createInkwellClient, InkwellProvider, type RouterOutputs, useInkwell } from '@inkwell/client/react';
import { QueryClient, useQuery } from '@tanstack/react-query';

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
