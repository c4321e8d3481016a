/** Module names that must never appear in the published declarations (build.ts and tests check). */
export const FORBIDDEN_IN_DTS: readonly string[] = [
  '@inkwell/api',
  '@inkwell/db',
  'express',
  '@mikro-orm/core',
  '@mikro-orm/postgresql',
  'ioredis',
  'pino',
  'pino-http',
  'trpc-to-openapi',
  'zod',
];
