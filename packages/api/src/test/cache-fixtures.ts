import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { cacheTags, invalidationsFor } from '../cache/tags.js';
import type { FastPathRoute } from '../http/fast-path.js';
import { cached, invalidates, type ProcedureContext } from '../middleware/cache.js';
import { publicProcedure } from '../procedures.js';
import { router } from '../trpc.js';

/*
 * Test-only procedures over the real `users` table, for the cache machinery's own tests
 * (never mounted in production): a cached read with a viewer-specific field, and a write that
 * invalidates it.
 */

export const profileInput = z.strictObject({ id: z.uuid() });
export const profileOutput = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  /** Viewer-specific: must never come out of the shared entry as true. */
  isMe: z.boolean(),
});
export type Profile = z.infer<typeof profileOutput>;

/** What the tests observe and steer inside the resolver. */
export interface ProfileProbe {
  /** Resolver runs (database loads). */
  loads: number;
  /** When set, a load waits for it after reading the row (to hold a load in flight). */
  hold: Promise<void> | null;
}

async function readProfile(ctx: ProcedureContext, id: string): Promise<Profile> {
  const rows = await ctx.em
    .getConnection()
    .execute<{ id: string; username: string; display_name: string }[]>(
      'select id, username, display_name from users where id = ?',
      [id],
    );
  const row = rows[0];
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such user' });
  return { id: row.id, username: row.username, displayName: row.display_name, isMe: false };
}

export function cacheTestRouter(probe: ProfileProbe) {
  return router({
    profile: publicProcedure
      .input(profileInput)
      .use(
        cached({
          ttlSeconds: 60,
          output: profileOutput,
          tags: (_input, profile) => [cacheTags.user(profile.id)],
          personalize: async ({ viewer, output }) => ({ ...output, isMe: viewer.userId === output.id }),
        }),
      )
      .output(profileOutput)
      .query(async ({ ctx, input }) => {
        probe.loads += 1;
        const profile = await readProfile(ctx, input.id);
        if (probe.hold) await probe.hold;
        return { ...profile, isMe: ctx.viewer?.userId === input.id };
      }),
    rename: publicProcedure
      .input(z.strictObject({ id: z.uuid(), displayName: z.string().min(1).max(64) }))
      .output(profileOutput)
      .use(invalidates({ result: profileOutput, tags: ({ result }) => invalidationsFor.userChanged(result.id) }))
      .mutation(async ({ ctx, input }) => {
        await ctx.em.transactional(async (tx) => {
          await tx
            .getConnection()
            .execute('update users set display_name = ?, updated_at = now() where id = ?', [
              input.displayName,
              input.id,
            ]);
        });
        return readProfile(ctx, input.id);
      }),
  });
}

export const cacheTestFastPathRoutes: FastPathRoute[] = [
  { procedure: 'profile', input: profileInput, rest: '/api/test-profiles/{id}' },
];

/** Inserts a user straight into the database and returns its id. */
export async function insertUser(ctx: Pick<ProcedureContext, 'deps'>, displayName: string): Promise<string> {
  const id = randomUUID();
  const handle = `u${id.slice(0, 8)}`;
  await ctx.deps.orm.em.getConnection().execute(
    `insert into users (id, email, username, display_name, password_hash, created_at, updated_at)
       values (?, ?, ?, ?, 'x', now(), now())`,
    [id, `${handle}@example.test`, handle, displayName],
  );
  return id;
}

/** The current value of a counter (summed over series matching `labels`). */
export async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}
