import { z } from 'zod';
import { AppError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Fields every keyset-paginated list input has; spread into a `z.strictObject`. Infinite queries
 * (tRPC, TanStack Query) send `cursor: null` for the first page and add a `direction`: both are
 * accepted and dropped while parsing, so the parsed input (and the cache key hashed from it) is
 * the same as without them.
 */
export const pageInputShape = {
  cursor: z
    .string()
    .min(1)
    .max(512)
    .nullish()
    .transform((cursor) => cursor ?? undefined)
    .describe('Opaque position: the `nextCursor` of the previous page; omit (or null) for the first page.'),
  limit: z.coerce
    .number<number>()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Items per page, 1 to ${MAX_PAGE_SIZE}.`),
  direction: z
    .enum(['forward', 'backward'])
    .optional()
    .transform(() => undefined)
    .describe('Ignored: infinite-query clients send it; pages always go forward from `cursor`.'),
};

export function pageOutput<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function invalidCursor(): AppError {
  return new AppError({ code: 'BAD_REQUEST', message: 'Invalid cursor', reason: 'INVALID_CURSOR' });
}

/** Decodes a cursor made by `encodeCursor`; anything else is the caller's mistake (400), never a 500. */
export function decodeCursor<T extends z.ZodType>(schema: T, cursor: string | undefined): z.output<T> | null {
  if (cursor === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

/**
 * A keyset position: an ISO timestamp with microseconds (PostgreSQL's precision) and an id.
 * Years are 1..9999: the format allows 0000, which PostgreSQL refuses (a 500, not a 400).
 */
export const cursorTimestamp = z.iso.datetime({ precision: 6 }).refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1 && year <= 9999;
});

/** Largest PostgreSQL `integer` (counters such as like_count); beyond it a cursor would overflow in SQL. */
export const PG_INT_MAX = 2_147_483_647;
