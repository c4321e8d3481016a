import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { authedProcedure, publicProcedure } from '../procedures.js';
import { router } from '../trpc.js';

const widget = z.object({ id: z.uuid(), name: z.string().max(20) });
/**
 * A throwaway router that exercises the REST adapter, the document and the docs page in tests
 * (one of each outcome: creation, deletion, validation, 401, 403 with reason, 404, 500).
 * Production procedures live in modules/.
 */
export const widgetsRouter = router({
  widgets: router({
    create: publicProcedure
      .meta({
        openapi: { method: 'POST', path: '/widgets', tags: ['widgets'], summary: 'Create', protect: false },
        created: true,
      })
      .input(z.strictObject({ name: z.string().min(1).max(20), tags: z.array(z.string().max(5)).max(3).optional() }))
      .output(widget)
      .mutation(({ input }) => ({ id: '0192f0c4-5b7e-7a4e-9c1d-3f2a1b0c9d8e', name: input.name })),
    byId: publicProcedure
      .meta({ openapi: { method: 'GET', path: '/widgets/{id}', tags: ['widgets'], summary: 'Get', protect: false } })
      .input(z.strictObject({ id: z.uuid() }))
      .output(widget)
      .query(() => {
        throw new TRPCError({ code: 'NOT_FOUND', message: 'No such widget' });
      }),
    mine: authedProcedure
      .meta({ openapi: { method: 'GET', path: '/my-widgets', tags: ['widgets'], summary: 'Mine', protect: true } })
      .input(z.void())
      .output(z.array(widget).max(10))
      .query(() => []),
    remove: publicProcedure
      .meta({
        openapi: { method: 'DELETE', path: '/widgets/{id}', tags: ['widgets'], summary: 'Delete', protect: false },
      })
      .input(z.strictObject({ id: z.uuid() }))
      .output(z.object({ id: z.uuid(), deleted: z.literal(true) }))
      .mutation(({ input }) => ({ id: input.id, deleted: true as const })),
    locked: publicProcedure
      .meta({
        openapi: { method: 'POST', path: '/locked-widget', tags: ['widgets'], summary: 'Locked', protect: false },
      })
      .input(z.void())
      .output(widget)
      .mutation(() => {
        throw new AppError({ code: 'FORBIDDEN', message: 'Verify first', reason: 'EMAIL_NOT_VERIFIED' });
      }),
    broken: publicProcedure
      .meta({
        openapi: { method: 'GET', path: '/broken-widget', tags: ['widgets'], summary: 'Broken', protect: false },
      })
      .input(z.void())
      .output(widget)
      .query(() => {
        throw new Error('connection to postgres://secret@db failed');
      }),
    badOutput: publicProcedure
      .meta({
        openapi: { method: 'GET', path: '/bad-output-widget', tags: ['widgets'], summary: 'Bad', protect: false },
      })
      .input(z.void())
      .output(widget)
      .query(() => ({ id: 'not-a-uuid', name: 'x' })),
  }),
});
