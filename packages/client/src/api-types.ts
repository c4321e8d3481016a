/**
 * The api's public types, types only. The published build replaces this module with a
 * flattened, self-contained copy (see scripts/emit-api-types.ts), so the package's `.d.ts`
 * never reaches into the api's sources, express, MikroORM or ioredis.
 */
export type { AppRouter, ErrorBody, FieldIssue, RouterInputs, RouterOutputs } from '@inkwell/api';
