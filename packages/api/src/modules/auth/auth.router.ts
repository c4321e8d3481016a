import type { TRPCRouterRecord } from '@trpc/server';

/** Procedures of `auth`; see DESIGN.md "API surface". */
export const authRouter = {} satisfies TRPCRouterRecord;
