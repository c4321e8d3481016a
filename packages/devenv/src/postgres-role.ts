import { userInfo } from 'node:os';
import pg from 'pg';
import { z } from 'zod';
import { findExecutable, run } from './commands.js';
import type { ServerAddress } from './env-file.js';
import { detail } from './report.js';

export type RoleOutcome = 'created' | 'exists' | 'no-admin-access';

const roleRow = z.object({ exists: z.boolean() });

/**
 * Creates the login role of DATABASE_URL (with CREATEDB, so `db:migrate` can create its
 * database) on a server that refused it, through whatever administrator access this machine
 * gives without a password: a superuser connection as the OS user or as `postgres` (Homebrew,
 * trust setups), or psql as the `postgres` account over its socket (Debian/Ubuntu: root, or
 * passwordless sudo). An existing role is never changed.
 */
export async function createLoginRole(address: ServerAddress): Promise<RoleOutcome> {
  const viaClient = await createThroughClient(address);
  if (viaClient !== 'no-admin-access') return viaClient;
  return createThroughPsql(address);
}

async function createThroughClient(address: ServerAddress): Promise<RoleOutcome> {
  const osUser = userInfo().username;
  const hosts = [address.host, '/var/run/postgresql', '/tmp'];
  for (const user of [...new Set([osUser, 'postgres'])]) {
    for (const host of hosts) {
      const client = new pg.Client({
        host,
        port: address.port,
        user,
        database: 'postgres',
        connectionTimeoutMillis: 3_000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch {
        await client.end().catch(() => undefined);
        continue;
      }
      try {
        const admin = await client.query(
          'select rolsuper or rolcreaterole as admin from pg_roles where rolname = current_user',
        );
        if (!z.object({ admin: z.boolean() }).parse(admin.rows[0]).admin) continue;
        const found = roleRow.parse(
          (await client.query('select exists (select 1 from pg_roles where rolname = $1) as exists', [address.user]))
            .rows[0],
        );
        if (found.exists) return 'exists';
        await client.query(
          `create role ${client.escapeIdentifier(address.user)} login createdb password ${client.escapeLiteral(address.password)}`,
        );
        detail(`created the role "${address.user}" (as the administrator "${user}")`);
        return 'created';
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }
  return 'no-admin-access';
}

const PSQL_SCRIPT = `\\set ON_ERROR_STOP on
select not exists (select 1 from pg_roles where rolname = :'name') as missing \\gset
\\if :missing
create role :"name" login createdb password :'password';
\\echo created
\\else
\\echo exists
\\endif
`;

async function createThroughPsql(address: ServerAddress): Promise<RoleOutcome> {
  const psql = findExecutable('psql');
  if (!psql) return 'no-admin-access';
  const asPostgres = await postgresAccountPrefix();
  if (!asPostgres) return 'no-admin-access';
  const [file, ...prefix] = asPostgres;
  const result = await run(
    file,
    [
      ...prefix,
      psql,
      '-X',
      '-q',
      '-p',
      String(address.port),
      '-d',
      'postgres',
      '-v',
      `name=${address.user}`,
      '-v',
      `password=${address.password}`,
    ],
    { input: PSQL_SCRIPT },
  );
  if (result.code !== 0) return 'no-admin-access';
  if (result.stdout.includes('created')) {
    detail(`created the role "${address.user}" (psql as the "postgres" account)`);
    return 'created';
  }
  return 'exists';
}

/** Runs a command as the `postgres` OS account: runuser as root, else passwordless sudo. */
async function postgresAccountPrefix(): Promise<[string, ...string[]] | undefined> {
  if (process.getuid?.() === 0) {
    const runuser = findExecutable('runuser');
    return runuser ? [runuser, '-u', 'postgres', '--'] : undefined;
  }
  const sudo = findExecutable('sudo');
  if (!sudo) return undefined;
  return (await run(sudo, ['-n', '-u', 'postgres', 'true'])).code === 0 ? [sudo, '-n', '-u', 'postgres'] : undefined;
}

/** The command a user runs to create the role by hand, for this machine. */
export function createRoleCommand(address: ServerAddress): string {
  const sql = `create role "${address.user}" login createdb password '${address.password}'`;
  return process.platform === 'darwin'
    ? `psql -d postgres -c "${sql}"`
    : `sudo -u postgres psql -p ${address.port} -c "${sql}"`;
}
