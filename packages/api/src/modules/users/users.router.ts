import type { TRPCRouterRecord } from '@trpc/server';

/** Procedures of `users`; see DESIGN.md "API surface". */
export const usersRouter = {} satisfies TRPCRouterRecord;
