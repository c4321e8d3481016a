import { z } from 'zod';
import { authedProcedure, publicProcedure } from '../procedures.js';
import { router } from '../trpc.js';

/**
 * Test-only procedures (never mounted in production): a spread of zod shapes for the fuzz
 * suite's generator, a raw failure with SQL in its message, and a slow call.
 */
export const testRouter = router({
  echo: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/test/echo', tags: ['test'], summary: 'echo', protect: false } })
    .input(
      z.strictObject({
        title: z.string().trim().min(1).max(120),
        tags: z.array(z.string().regex(/^[a-z0-9-]{1,30}$/)).max(5),
        count: z.number().int().min(1).max(100).optional(),
        kind: z.enum(['draft', 'published']),
        email: z.email().max(254).nullable(),
        nested: z.strictObject({ flag: z.boolean(), note: z.string().max(20).optional() }).optional(),
      }),
    )
    .output(z.object({ ok: z.literal(true) }))
    .mutation(() => ({ ok: true as const })),
  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/test/items', tags: ['test'], summary: 'list', protect: false } })
    .input(
      z.strictObject({
        cursor: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        sort: z.enum(['new', 'top']).default('new'),
        author: z.uuid().optional(),
      }),
    )
    .output(z.object({ items: z.array(z.number()), nextCursor: z.string().nullable() }))
    .query(({ input }) => ({ items: Array.from({ length: input.limit }, (_, i) => i), nextCursor: null })),
  mine: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/test/mine', tags: ['test'], summary: 'mine', protect: true } })
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.string() }))
    .query(({ input }) => ({ id: input.id })),
  whoami: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/test/whoami', tags: ['test'], summary: 'whoami', protect: false } })
    .input(z.void())
    .output(z.object({ ip: z.string().nullable() }))
    .query(({ ctx }) => ({ ip: ctx.ip })),
  boom: publicProcedure.query(() => {
    throw new Error('select "password_hash" from "user" where "email" = $1 - relation does not exist');
  }),
  slow: publicProcedure.input(z.strictObject({ ms: z.number().int().min(0).max(10_000) })).query(async ({ input }) => {
    await new Promise((resolve) => setTimeout(resolve, input.ms));
    return { waited: input.ms };
  }),
});
