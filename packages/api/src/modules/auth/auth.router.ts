import type { TRPCRouterRecord } from '@trpc/server';
import { authedProcedure } from '../../procedures.js';
import { meOutput, noInput } from './auth.schema.js';
import * as auth from './auth.service.js';

const tags = ['auth'];

/** Procedures of `auth`; see DESIGN.md "API surface" and README "Auth". */
export const authRouter = {
  me: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/me', tags, summary: 'The signed-in account', protect: true } })
    .input(noInput)
    .output(meOutput)
    .query(({ ctx }) => auth.me(ctx)),
} satisfies TRPCRouterRecord;
