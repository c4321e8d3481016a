import type { EntityManager } from '@inkwell/db';

/**
 * A PostgreSQL array literal for a `?::uuid[]` or `?::text[]` binding. knex expands a JS array
 * binding into a comma list, which `= any(?)` cannot take, so arrays travel as one literal.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Selects a timestamptz as an ISO string with microseconds, exact enough for a keyset cursor. */
export function isoMicros(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export type SqlValue = string | number | boolean | null;

/** Runs one SQL statement (in `em`'s transaction, if any) and returns its rows. */
export async function queryRows<Row extends object>(
  em: EntityManager,
  sql: string,
  params: readonly SqlValue[] = [],
): Promise<Row[]> {
  return em.execute<Row[]>(sql, [...params]);
}

/** Selects a timestamptz as the ISO string a DTO carries (JavaScript's `toISOString` format). */
export function isoMillis(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
