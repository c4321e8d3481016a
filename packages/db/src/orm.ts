import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { entities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export interface OrmOptions {
  databaseUrl: string;
  /** Upper bound of the connection pool of this process. */
  poolMax?: number;
  /** How long a query may wait for a pooled connection before failing (ms). */
  acquireTimeoutMs?: number;
  /** Receives every SQL statement (used by tests that count queries, and debug logging). */
  onQuery?: (sql: string) => void;
}

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

export function ormConfig(options: OrmOptions): Options {
  const onQuery = options.onQuery;
  return defineConfig({
    clientUrl: options.databaseUrl,
    entities,
    extensions: [Migrator],
    // Never create or alter the database implicitly: migrations are the only way in.
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: options.poolMax ?? 10, acquireTimeoutMillis: options.acquireTimeoutMs ?? 5_000 },
    // Merged into the knex config. With compileSqlOnError: false knex prepends exactly
    // `${sql} - ` to a failing query's message (not the SQL with its bindings filled in), which
    // createOrm strips again: see keepValuesOutOfErrors.
    driverOptions: {
      connection: { connectionTimeoutMillis: options.acquireTimeoutMs ?? 5_000 },
      compileSqlOnError: false,
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList,
      path: migrationsDir,
      pathTs: migrationsDir,
      // Without a snapshot, new migrations are diffed against the real (migrated) database.
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      silent: true,
    },
    ...(onQuery
      ? {
          debug: ['query'],
          logger: (message: string) => onQuery(message),
          highlighter: undefined,
        }
      : { debug: false }),
  });
}

/** The one way api, worker, scripts and tests open the database. */
export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  keepValuesOutOfErrors(orm);
  return orm;
}

interface KnexQueryError {
  message: string;
}

/**
 * MikroORM inlines parameters into the SQL it hands to knex, and knex prepends that SQL to a
 * failing query's error message: password hashes, token hashes and emails would reach the error
 * logs. knex emits `query-error` (for transactions too) after prefixing and before rejecting,
 * so the prefix is removed here and the message is the database's own (which names the
 * constraint, not the values).
 */
function keepValuesOutOfErrors(orm: MikroORM): void {
  orm.em.getKnex().on('query-error', (error: KnexQueryError, query: { sql: string }) => {
    const prefix = `${query.sql} - `;
    if (error.message.startsWith(prefix)) error.message = error.message.slice(prefix.length);
  });
}

export type { EntityManager } from '@mikro-orm/postgresql';
export { MikroORM } from '@mikro-orm/postgresql';
