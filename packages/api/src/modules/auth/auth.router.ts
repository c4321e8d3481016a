import type { TRPCRouterRecord } from '@trpc/server';
import { invalidationsFor } from '../../cache/tags.js';
import { invalidates } from '../../middleware/cache.js';
import { authedProcedure, credentialsProcedure } from '../../procedures.js';
import {
  acceptedOutput,
  changePasswordInput,
  emailOnlyInput,
  loginInput,
  loginOutput,
  meOutput,
  noInput,
  okOutput,
  refreshInput,
  registerInput,
  resetPasswordInput,
  revokeSessionInput,
  sessionsInput,
  sessionsOutput,
  tokensOutput,
  verifyEmailInput,
} from './auth.schema.js';
import * as auth from './auth.service.js';

const tags = ['auth'];

/** Procedures of `auth`; see DESIGN.md "API surface" and docs/auth.md. */
export const authRouter = {
  register: credentialsProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/register', tags, summary: 'Create an account', protect: false },
      rateLimited: true,
    })
    .input(registerInput)
    .output(acceptedOutput)
    // users.list shows every account; the answer is the same whether one was created (no enumeration).
    .use(invalidates({ result: acceptedOutput, tags: () => invalidationsFor.userRegistered() }))
    .mutation(({ ctx, input }) => auth.register(ctx, input)),

  verifyEmail: credentialsProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/verify-email',
        tags,
        summary: 'Confirm an email address',
        protect: false,
      },
    })
    .input(verifyEmailInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => auth.verifyEmail(ctx, input)),

  resendVerification: credentialsProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/resend-verification',
        tags,
        summary: 'Send a new verification link',
        protect: false,
      },
      rateLimited: true,
    })
    .input(emailOnlyInput)
    .output(acceptedOutput)
    .mutation(({ ctx, input }) => auth.resendVerification(ctx, input)),

  login: credentialsProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/login', tags, summary: 'Sign in', protect: false },
      rateLimited: true,
    })
    .input(loginInput)
    .output(loginOutput)
    .mutation(({ ctx, input }) => auth.login(ctx, input)),

  refresh: credentialsProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/refresh',
        tags,
        summary: 'Rotate the refresh token (body or cookie) for new tokens',
        protect: false,
      },
    })
    .input(refreshInput)
    .output(tokensOutput)
    .mutation(({ ctx, input }) => auth.refresh(ctx, input)),

  logout: authedProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/logout', tags, summary: 'End this sign-in', protect: true } })
    .input(noInput)
    .output(okOutput)
    .mutation(({ ctx }) => auth.logout(ctx)),

  logoutAll: authedProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/logout-all', tags, summary: 'End every sign-in', protect: true },
    })
    .input(noInput)
    .output(okOutput)
    .mutation(({ ctx }) => auth.logoutAll(ctx)),

  requestPasswordReset: credentialsProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/password-reset/request',
        tags,
        summary: 'Mail a password reset link',
        protect: false,
      },
      rateLimited: true,
    })
    .input(emailOnlyInput)
    .output(acceptedOutput)
    .mutation(({ ctx, input }) => auth.requestPasswordReset(ctx, input)),

  resetPassword: credentialsProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/password-reset/confirm',
        tags,
        summary: 'Set a new password from a reset link',
        protect: false,
      },
    })
    .input(resetPasswordInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => auth.resetPassword(ctx, input)),

  changePassword: authedProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/password/change', tags, summary: 'Change the password', protect: true },
    })
    .input(changePasswordInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => auth.changePassword(ctx, input)),

  me: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/me', tags, summary: 'The signed-in account', protect: true } })
    .input(noInput)
    .output(meOutput)
    .query(({ ctx }) => auth.me(ctx)),

  sessions: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/sessions', tags, summary: 'Live sign-ins', protect: true } })
    .input(sessionsInput)
    .output(sessionsOutput)
    .query(({ ctx, input }) => auth.sessions(ctx, input)),

  revokeSession: authedProcedure
    .meta({
      openapi: { method: 'DELETE', path: '/auth/sessions/{id}', tags, summary: 'End one sign-in', protect: true },
    })
    .input(revokeSessionInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => auth.revokeSession(ctx, input)),
} satisfies TRPCRouterRecord;
