import type { TRPCRouterRecord } from '@trpc/server';

/** Procedures of `posts`; see DESIGN.md "API surface". */
export const postsRouter = {} satisfies TRPCRouterRecord;
