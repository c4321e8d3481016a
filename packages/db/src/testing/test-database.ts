import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { maintenanceUrl, quoteIdent } from '../database-admin.js';
import { createOrm } from '../orm.js';

/** Where tests find PostgreSQL: any database on the server; we only use it to reach `postgres`. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DATABASE_PREFIX = 'inkwell_t_';
const TEMPLATE_PREFIX = 'inkwell_tpl_';
const TEMPLATE_LOCK_KEY = 7_100_042;
const TEMPLATE_RETENTION_SECONDS = 24 * 60 * 60;

function withDatabase(url: string, database: string): string {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
}

async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: maintenanceUrl(TEST_DATABASE_URL).adminUrl });
  await client.connect();
  return client;
}

/** Template name derived from the migrations' content: a changed migration gets a new template. */
export function templateDatabaseName(): string {
  const dir = fileURLToPath(new URL('../migrations', import.meta.url));
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(`${dir}/${file}`));
  return `${TEMPLATE_PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

/**
 * Creates (once per migration set, safely across concurrent test runs) a database migrated with
 * the committed migrations, which every test database is then copied from.
 */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateDatabaseName();
  const client = await adminClient();
  try {
    await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) {
      await client.query(`create database ${quoteIdent(name)}`);
      try {
        const orm = await createOrm({ databaseUrl: withDatabase(TEST_DATABASE_URL, name), poolMax: 1 });
        try {
          await orm.getMigrator().up();
          await orm.em
            .getConnection()
            .execute(`comment on database ${quoteIdent(name)} is 'created ${Math.floor(Date.now() / 1000)}'`);
        } finally {
          await orm.close(true);
        }
      } catch (error) {
        await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
        throw error;
      }
    }
    // Templates of older migration sets are dead weight; drop the ones nobody is copying. Only
    // after a day: other checkouts on this server (branches with other migrations) may be
    // running their suites from theirs right now.
    const stale = await client.query<{ datname: string }>(
      `select datname from pg_database
       where datname like $1 and datname <> $2
         and coalesce(substring(shobj_description(oid, 'pg_database') from '^created (\\d+)$')::bigint, 0)
             < extract(epoch from now())::bigint - $3`,
      [`${TEMPLATE_PREFIX}%`, name, TEMPLATE_RETENTION_SECONDS],
    );
    for (const row of stale.rows) {
      await client.query(`drop database if exists ${quoteIdent(row.datname)}`).catch(() => undefined);
    }
    return name;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, fully migrated database of its own for one test file. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const template = options.empty ? null : (process.env.INKWELL_TEST_TEMPLATE ?? (await ensureTemplateDatabase()));
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  const client = await adminClient();
  try {
    await client.query(
      template
        ? `create database ${quoteIdent(name)} template ${quoteIdent(template)}`
        : `create database ${quoteIdent(name)}`,
    );
  } finally {
    await client.end();
  }
  return {
    name,
    url: withDatabase(TEST_DATABASE_URL, name),
    async drop() {
      const dropper = await adminClient();
      try {
        await dropper.query(`drop database if exists ${quoteIdent(name)} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
