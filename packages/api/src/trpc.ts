import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context } from './context.js';
import { toErrorBody } from './errors.js';
import { currentRequestId } from './http/request-id.js';

/**
 * Procedure meta: the REST mapping (`openapi`); `created: true` on procedures that create a
 * resource, which REST answers with 201 instead of 200; `rateLimited: true` on procedures that
 * may answer 429 (documented in /openapi.json; see http/openapi.ts).
 */
export type ProcedureMeta = OpenApiMeta<{ created?: true; rateLimited?: true }>;

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const body = toErrorBody(error, ctx?.requestId ?? currentRequestId());
      // `data` is replaced wholesale: tRPC's default adds a stack trace outside production.
      return {
        message: body.message,
        code: shape.code,
        data: { ...body, httpStatus: shape.data.httpStatus, path: shape.data.path ?? null },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const baseProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
