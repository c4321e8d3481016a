import { experimental_standaloneMiddleware } from '@trpc/server';
// tRPC has no public way for a middleware to answer without calling next() (trpc/trpc#4066);
// the marker is the typed constant its own adapters use for that.
import { type MiddlewareResult, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import type { z } from 'zod';
import type { CachedLoad } from '../cache/query-cache.js';
import type { Context, Viewer } from '../context.js';
import type { AppDeps } from '../deps.js';

/** The context every procedure sees (procedures.ts adds the EntityManager fork). */
export type ProcedureContext = Context & { em: ReturnType<AppDeps['orm']['em']['fork']> };

export interface CachedOptions<TInput, TOutput> {
  /** Upper bound of an entry's life; tags make it a miss as soon as its data changes. */
  ttlSeconds: number;
  /** The procedure's output schema: types the value for `tags` and `personalize`. */
  output: z.ZodType<TOutput>;
  /** What the value depends on (see cache/tags.ts); may use the loaded value (authors, ids). */
  tags: (input: TInput, output: TOutput) => readonly string[];
  /**
   * Fills in what depends on the viewer (e.g. `likedByMe`) with one batched query. Called only
   * for signed-in viewers, on hits and misses alike; anonymous callers get the shared value as
   * it is. Must return a new value, never change `output`.
   */
  personalize?: (args: { ctx: ProcedureContext; viewer: Viewer; output: TOutput }) => Promise<TOutput>;
}

/**
 * Caches a public query's result in Redis, shared by every caller. Place it after `.input()`
 * and before `.output()`: the key hashes the parsed input, and the stored value is the
 * validated output, so the fast path (http/fast-path.ts) can answer with the same bytes.
 *
 * The resolver runs with `ctx.viewer = null`, so nothing viewer-specific can reach the shared
 * entry; `personalize` adds it afterwards, outside the entry.
 */
export function cached<TInput, TOutput>(options: CachedOptions<TInput, TOutput>) {
  return experimental_standaloneMiddleware<{ ctx: ProcedureContext; input: TInput }>().create(
    async ({ ctx, input, path, type, next }): Promise<MiddlewareResult<object>> => {
      if (type !== 'query') return next();
      const cache = ctx.deps.cache;
      const load = async (): Promise<CachedLoad> => {
        const result = await next({ ctx: { viewer: null } });
        if (!result.ok) throw result.error;
        return { data: result.data, tags: options.tags(input, options.output.parse(result.data)) };
      };
      let data = cache.enabled
        ? await cache.resolve(
            { procedure: path, key: cache.keys.entry(path, input), ttlSeconds: options.ttlSeconds },
            load,
          )
        : (await load()).data;
      if (ctx.viewer && options.personalize) {
        data = await options.personalize({ ctx, viewer: ctx.viewer, output: options.output.parse(data) });
      }
      return { ok: true, data, marker: middlewareMarker };
    },
  );
}

export interface InvalidatesOptions<TInput, TResult> {
  /** What the resolver returns (or the part of it the tags need). */
  result: z.ZodType<TResult>;
  /** The tags the write changed, usually one of `invalidationsFor.*` (cache/tags.ts). */
  tags: (args: { input: TInput; result: TResult; ctx: ProcedureContext }) => readonly string[];
}

/**
 * Invalidates cache tags after a mutation succeeded, i.e. after its transaction committed, and
 * before the response leaves: the caller's next read, on any instance, sees the write. Place it
 * last, after `.output()`: it sees what the resolver returned, which may say more than the
 * response does (e.g. the post a deleted comment belonged to).
 */
export function invalidates<TInput, TResult>(options: InvalidatesOptions<TInput, TResult>) {
  return experimental_standaloneMiddleware<{ ctx: ProcedureContext; input: TInput }>().create(
    async ({ ctx, input, next }) => {
      const result = await next();
      if (result.ok) {
        await ctx.deps.cache.invalidate(options.tags({ input, result: options.result.parse(result.data), ctx }));
      }
      return result;
    },
  );
}
