import { TRPCError } from '@trpc/server';
import { AppError } from './errors.js';
import { procedureMetrics } from './middleware/metrics.js';
import { baseProcedure, middleware } from './trpc.js';

/** One EntityManager fork per procedure call: batched calls never share an identity map. */
const withEntityManager = middleware(({ ctx, next }) => next({ ctx: { em: ctx.deps.orm.em.fork() } }));

/** A presented but refused access token fails every procedure, public ones included. */
const rejectBadCredentials = middleware(({ ctx, next }) => {
  if (ctx.authError) throw ctx.authError;
  return next();
});

export const publicProcedure = baseProcedure.use(procedureMetrics).use(rejectBadCredentials).use(withEntityManager);

/**
 * For the auth procedures that never look at the viewer (register, login, refresh, email links,
 * password reset): a stale access token the client still attaches must not block them. The
 * client SDK refreshes by calling auth.refresh with its expired bearer token still set.
 */
export const credentialsProcedure = baseProcedure.use(withEntityManager);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.viewer) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to do this' });
  return next({ ctx: { viewer: ctx.viewer } });
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.viewer.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins only' });
  return next();
});

/** Writing content needs a verified email (disabled users have no sessions at all). */
export const writerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.viewer.emailVerified) {
    throw new AppError({ code: 'FORBIDDEN', message: 'Verify your email address first', reason: 'EMAIL_NOT_VERIFIED' });
  }
  return next();
});
