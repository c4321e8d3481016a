import { findExecutable } from './commands.js';
import type { ServerAddress } from './env-file.js';
import {
  embeddedPackageName,
  findEmbeddedPostgres,
  findSystemPostgres,
  type PostgresBinaries,
} from './postgres-binaries.js';
import { MIN_POSTGRES_MAJOR, type PostgresProbe, probePostgres } from './postgres-probe.js';
import { createLoginRole, createRoleCommand } from './postgres-role.js';
import { initPrivatePostgres, readClusterState, startPrivatePostgres } from './private-postgres.js';
import { detail, SetupError, step } from './report.js';
import type { PackageManager } from './system-packages.js';

/**
 * Makes sure PostgreSQL answers at DATABASE_URL with its role able to create its database. When
 * nothing listens on a local address it starts one: the private cluster of an earlier run, else
 * a new private cluster from this machine's binaries, from freshly installed OS packages, or from
 * the embedded PostgreSQL npm package, in that order.
 */
export async function ensurePostgres(
  address: ServerAddress,
  packageManager: () => Promise<PackageManager | undefined>,
): Promise<void> {
  const where = `${address.host}:${address.port}`;
  let probe = await probePostgres(address);
  let which: string | undefined;
  if (probe.kind === 'unreachable') {
    if (!address.local) {
      throw new SetupError(
        `PostgreSQL does not answer at ${where} (DATABASE_URL in .env): ${probe.reason}`,
        'start that server, or point DATABASE_URL at 127.0.0.1 to let the quickstart run one',
      );
    }
    which = await startLocalPostgres(address, packageManager);
    probe = await probePostgres(address);
  } else if (readClusterState() && address.local) {
    which = 'the private one in .tmp/postgres';
  }
  if (probe.kind === 'refused-login') probe = await createRole(address, probe, where);
  if (probe.kind !== 'ready') {
    throw new SetupError(`PostgreSQL at ${where} failed: ${probe.reason}`, 'check DATABASE_URL in .env');
  }
  if (probe.major < MIN_POSTGRES_MAJOR) {
    throw new SetupError(
      `PostgreSQL ${probe.version} at ${where} is older than ${MIN_POSTGRES_MAJOR}`,
      'upgrade it, or point DATABASE_URL at a free local port to let the quickstart run a private one',
    );
  }
  if (!probe.databaseExists && !probe.canCreateDatabase) {
    throw new SetupError(
      `the role "${address.user}" may not create the database "${address.database}" at ${where}`,
      `create it for the role: createdb -h ${address.host} -p ${address.port} -O ${address.user} ${address.database}`,
    );
  }
  step(`PostgreSQL ${probe.version} answers at ${where} as "${address.user}"${which ? ` (${which})` : ''}`);
}

async function createRole(address: ServerAddress, probe: PostgresProbe, where: string): Promise<PostgresProbe> {
  const reason = probe.kind === 'refused-login' ? probe.reason : '';
  if (readClusterState()) {
    throw new SetupError(
      `the private PostgreSQL in .tmp/postgres refused "${address.user}" (${reason}): DATABASE_URL changed since it was made`,
      'put the earlier user and password back in DATABASE_URL, or rm -rf .tmp/postgres (deletes its data) and run again',
    );
  }
  step(`PostgreSQL at ${where} refused "${address.user}" (${reason}); creating that role`);
  const outcome = await createLoginRole(address);
  if (outcome === 'exists') {
    throw new SetupError(
      `the role "${address.user}" exists at ${where} but refused the password in DATABASE_URL`,
      'put its password in DATABASE_URL (.env)',
    );
  }
  if (outcome === 'no-admin-access') {
    throw new SetupError(
      `PostgreSQL at ${where} has no role "${address.user}", and this machine gives the quickstart no administrator access to create it`,
      createRoleCommand(address),
    );
  }
  return probePostgres(address);
}

/** Starts a PostgreSQL on the local address of DATABASE_URL; returns how to name it. */
async function startLocalPostgres(
  address: ServerAddress,
  packageManager: () => Promise<PackageManager | undefined>,
): Promise<string> {
  const where = `${address.host}:${address.port}`;
  const previous = readClusterState();
  if (previous) {
    step(`PostgreSQL: nothing answers at ${where}; starting the private cluster in .tmp/postgres again`);
    await startPrivatePostgres(previous, address);
    return `the private one in .tmp/postgres, ${previous.origin}`;
  }
  const system = await findSystemPostgres();
  for (const old of system.tooOld)
    detail(`skipping PostgreSQL ${old.version} (${old.origin}): older than ${MIN_POSTGRES_MAJOR}`);
  let binaries: PostgresBinaries | undefined = system.found;
  if (!binaries) {
    const manager = await packageManager();
    if (manager && (await manager.install([manager.packages.postgres]))) {
      // On a host with systemd the package starts its own cluster: use it if it is where .env points.
      if ((await probePostgres(address)).kind !== 'unreachable') return `the ${manager.name} service just installed`;
      binaries = (await findSystemPostgres()).found;
    }
  }
  binaries ??= await findEmbeddedPostgres();
  if (!binaries) {
    throw new SetupError(
      `no PostgreSQL answers at ${where}, none is installed, and the embedded one (${embeddedPackageName()}) is not available for this platform`,
      installPostgresHint(),
    );
  }
  step(
    `PostgreSQL: nothing answers at ${where}; starting a private PostgreSQL ${binaries.version} (${binaries.origin})`,
  );
  const state = await initPrivatePostgres(binaries, address);
  await startPrivatePostgres(state, address);
  detail(`superuser "${address.user || 'postgres'}" with the password of DATABASE_URL; data in .tmp/postgres/data`);
  detail('stop it: npm run stop; remove it and its data: npm run stop && rm -rf .tmp/postgres');
  return `the private one in .tmp/postgres, ${binaries.origin}`;
}

export function installPostgresHint(): string {
  if (process.platform === 'darwin') return 'brew install postgresql@17';
  if (findExecutable('apt-get')) return 'sudo apt-get install postgresql';
  return `install PostgreSQL ≥ ${MIN_POSTGRES_MAJOR} (initdb and pg_ctl on PATH), or set DATABASE_URL in .env to a server you have`;
}
