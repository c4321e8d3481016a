import { TRPCError } from '@trpc/server';
import { baseProcedure, middleware } from './trpc.js';

/** One EntityManager fork per procedure call: batched calls never share an identity map. */
const withEntityManager = middleware(({ ctx, next }) => next({ ctx: { em: ctx.deps.orm.em.fork() } }));

export const publicProcedure = baseProcedure.use(withEntityManager);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.viewer) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to do this' });
  return next({ ctx: { viewer: ctx.viewer } });
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.viewer.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins only' });
  return next();
});
