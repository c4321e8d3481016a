import { randomBytes } from 'node:crypto';
import { createOrm, maintenanceUrl, quoteIdent } from '@inkwell/db';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Same server as `serverUrl`, other database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: maintenanceUrl(databaseUrl(serverUrl, 'postgres')).adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of its own (`inkwell_bench_<random>`), migrated with the committed migrations. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `inkwell_bench_${randomBytes(5).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`create database ${quoteIdent(name)}`));
  const url = databaseUrl(serverUrl, name);
  const drop = () =>
    admin(serverUrl, (client) => client.query(`drop database if exists ${quoteIdent(name)} with (force)`)).then(
      () => undefined,
    );
  try {
    const orm = await createOrm({ databaseUrl: url, poolMax: 1 });
    try {
      await orm.getMigrator().up();
    } finally {
      await orm.close(true);
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, drop };
}
