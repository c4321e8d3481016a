import pg from 'pg';

/** Splits a postgres URL into the maintenance URL (database `postgres`) and the database name. */
export function maintenanceUrl(databaseUrl: string): { adminUrl: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  return { adminUrl: url.toString(), database };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates the database named in the URL if it does not exist yet. Returns true if created. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const { adminUrl, database } = maintenanceUrl(databaseUrl);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount) return false;
    await client.query(`create database ${quoteIdent(database)}`);
    return true;
  } finally {
    await client.end();
  }
}
