import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context } from './context.js';
import { toErrorBody } from './errors.js';
import { currentRequestId } from './http/request-id.js';

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
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
