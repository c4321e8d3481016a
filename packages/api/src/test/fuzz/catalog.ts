import type { AnyTRPCRouter } from '@trpc/server';
import { z } from 'zod';

/** What the fuzz suite needs to know about one procedure, read from the router itself. */
export interface ProcedureEntry {
  /** tRPC path, e.g. `posts.comments.list`. */
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The zod input, or null for a procedure without `.input()`. */
  input: z.ZodType | null;
  /** The REST mapping from `.meta({ openapi })`, or null when the procedure has none. */
  rest: z.infer<typeof openApiMeta> | null;
}

const openApiMeta = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().startsWith('/'),
  protect: z.boolean().optional(),
});

const procedureDef = z.object({
  type: z.enum(['query', 'mutation', 'subscription']),
  inputs: z.array(z.unknown()),
  meta: z.object({ openapi: openApiMeta.optional() }).passthrough().optional(),
});

/** A built procedure is a function carrying its definition in `_def`. */
function definitionOf(procedure: unknown): unknown {
  return typeof procedure === 'function' ? Reflect.get(procedure, '_def') : undefined;
}

/** Every procedure of `router` (nested routers flattened), in path order. */
export function listProcedures(router: AnyTRPCRouter): ProcedureEntry[] {
  const procedures: Record<string, unknown> = router._def.procedures;
  return Object.entries(procedures)
    .map(([path, procedure]): ProcedureEntry => {
      const def = procedureDef.parse(definitionOf(procedure));
      const inputs = def.inputs.map((parser) => {
        if (!(parser instanceof z.ZodType)) throw new Error(`${path}: input is not a zod schema`);
        return parser;
      });
      // tRPC merges several `.input()` objects; ours never chain them, and the generator needs one.
      if (inputs.length > 1) throw new Error(`${path}: chained .input() calls are not supported by the fuzzer`);
      return { path, type: def.type, input: inputs[0] ?? null, rest: def.meta?.openapi ?? null };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
