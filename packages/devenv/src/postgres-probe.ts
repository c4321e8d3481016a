import pg from 'pg';
import { z } from 'zod';
import type { ServerAddress } from './env-file.js';

/** The oldest PostgreSQL the migrations and queries are written for. */
export const MIN_POSTGRES_MAJOR = 14;

export type PostgresProbe =
  | { kind: 'ready'; version: string; major: number; databaseExists: boolean; canCreateDatabase: boolean }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'refused-login'; reason: string }
  | { kind: 'failed'; reason: string };

const versionRow = z.object({ server_version: z.string(), server_version_num: z.string() });
const privilegesRow = z.object({ can_create: z.boolean() });

export function clientConfig(
  address: ServerAddress,
  database: string,
  user = address.user,
  password = address.password,
) {
  return { host: address.host, port: address.port, user, password, database, connectionTimeoutMillis: 5_000 };
}

function errorCode(error: unknown): string | undefined {
  const code: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Connects to the database of `address` (or its server's `postgres` database if it is missing). */
export async function probePostgres(address: ServerAddress): Promise<PostgresProbe> {
  let databaseExists = true;
  for (const database of [address.database, 'postgres']) {
    const client = new pg.Client(clientConfig(address, database));
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      const code = errorCode(error);
      const reason = error instanceof Error ? error.message : String(error);
      if (code === '3D000' && database !== 'postgres') {
        databaseExists = false;
        continue;
      }
      if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOENT'].includes(code)) {
        return { kind: 'unreachable', reason };
      }
      if (reason.includes('timeout')) return { kind: 'unreachable', reason };
      if (code === '28P01' || code === '28000') return { kind: 'refused-login', reason };
      return { kind: 'failed', reason };
    }
    try {
      const version = versionRow.parse(
        (
          await client.query(
            'select current_setting($1) as server_version, current_setting($2) as server_version_num',
            ['server_version', 'server_version_num'],
          )
        ).rows[0],
      );
      const privileges = privilegesRow.parse(
        (await client.query('select rolcreatedb or rolsuper as can_create from pg_roles where rolname = current_user'))
          .rows[0],
      );
      return {
        kind: 'ready',
        version: version.server_version.split(' ')[0] ?? version.server_version,
        major: Math.floor(Number(version.server_version_num) / 10_000),
        databaseExists,
        canCreateDatabase: privileges.can_create,
      };
    } catch (error) {
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { kind: 'failed', reason: 'unreachable' };
}
