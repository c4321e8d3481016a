import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { run, tail } from './commands.js';
import { repoRoot, type ServerAddress } from './env-file.js';
import type { PostgresBinaries } from './postgres-binaries.js';
import { SetupError } from './report.js';

/**
 * A PostgreSQL cluster of the quickstart's own under `.tmp/postgres`: initdb'd once with the
 * role and password of DATABASE_URL as its superuser, listening only where DATABASE_URL points
 * (no Unix socket), started and stopped with pg_ctl. It outlives the quickstart (npm test and
 * the next run use it) until `npm run stop`.
 */
export function privatePostgresPaths() {
  const dir = join(repoRoot, '.tmp/postgres');
  return { dir, dataDir: join(dir, 'data'), logFile: join(dir, 'postgres.log'), stateFile: join(dir, 'cluster.json') };
}

const runAsSchema = z.object({ name: z.string(), uid: z.number().int(), gid: z.number().int() });
const clusterStateSchema = z.object({
  binDir: z.string(),
  origin: z.string(),
  version: z.string(),
  major: z.number().int(),
  runAs: runAsSchema.optional(),
});
export type ClusterState = z.output<typeof clusterStateSchema>;
type RunAs = z.output<typeof runAsSchema>;

export function readClusterState(): ClusterState | undefined {
  const { stateFile, dataDir } = privatePostgresPaths();
  if (!existsSync(stateFile) || !existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  const parsed = clusterStateSchema.safeParse(JSON.parse(readFileSync(stateFile, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to `postgres` (or `nobody`). */
function unprivilegedAccount(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8').split('\n') : [];
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields?.[2] && fields[3]) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new SetupError(
    'PostgreSQL cannot run as root, and this machine has no "postgres" or "nobody" account to run it as',
    'run the quickstart as a regular user, or create one: useradd --system postgres',
  );
}

function asOwner(state: Pick<ClusterState, 'runAs'>, dir: string) {
  return { cwd: dir, ...(state.runAs ? { uid: state.runAs.uid, gid: state.runAs.gid } : {}) };
}

/** initdb into `.tmp/postgres/data`, superuser and password from DATABASE_URL. */
export async function initPrivatePostgres(binaries: PostgresBinaries, address: ServerAddress): Promise<ClusterState> {
  const { dir, dataDir, stateFile } = privatePostgresPaths();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const runAs = unprivilegedAccount();
  const state: ClusterState = { ...binaries, ...(runAs ? { runAs } : {}) };
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const pwFile = join(dir, 'initial-password');
  writeFileSync(pwFile, `${address.password}\n`, { mode: 0o600 });
  if (runAs) chownSync(pwFile, runAs.uid, runAs.gid);
  const auth = address.password ? 'scram-sha-256' : 'trust';
  const initdb = await run(
    join(binaries.binDir, 'initdb'),
    [
      `--pgdata=${dataDir}`,
      `--username=${address.user || 'postgres'}`,
      ...(address.password ? [`--pwfile=${pwFile}`] : []),
      `--auth=${auth}`,
      '--encoding=UTF8',
      '--locale=C',
    ],
    { ...asOwner(state, dir), env: { ...process.env, LC_ALL: 'C' } },
  );
  rmSync(pwFile, { force: true });
  if (initdb.code !== 0) {
    throw new SetupError(
      `initdb (${binaries.origin}) could not create a cluster in ${dataDir}:\n${tail(initdb.stderr || initdb.stdout)}`,
      runAs
        ? `let the "${runAs.name}" account reach ${dir} (every parent directory needs o+x), or run as a regular user`
        : `remove ${dir} and run the quickstart again`,
    );
  }
  writeFileSync(
    join(dataDir, 'postgresql.conf'),
    "\n# Written by the quickstart on every start.\ninclude 'inkwell.conf'\n",
    {
      flag: 'a',
    },
  );
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

async function isRunning(state: ClusterState): Promise<boolean> {
  const { dir, dataDir } = privatePostgresPaths();
  return (await run(join(state.binDir, 'pg_ctl'), ['-D', dataDir, 'status'], asOwner(state, dir))).code === 0;
}

/** Starts (or, if it runs on other settings, restarts) the cluster on the address of DATABASE_URL. */
export async function startPrivatePostgres(state: ClusterState, address: ServerAddress): Promise<void> {
  const { dir, dataDir, logFile } = privatePostgresPaths();
  if (!existsSync(join(state.binDir, 'pg_ctl'))) {
    throw new SetupError(
      `the private PostgreSQL in ${dir} was made with binaries that are gone (${state.binDir}, ${state.origin})`,
      `rm -rf ${dir} (this deletes its data), then run the quickstart again`,
    );
  }
  const listen = address.host === 'localhost' ? 'localhost' : address.host;
  const conf = join(dataDir, 'inkwell.conf');
  writeFileSync(
    conf,
    [`port = ${address.port}`, `listen_addresses = '${listen}'`, "unix_socket_directories = ''", ''].join('\n'),
  );
  chmodSync(conf, 0o644);
  const action = (await isRunning(state)) ? 'restart' : 'start';
  const result = await run(
    join(state.binDir, 'pg_ctl'),
    ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-m', 'fast', action],
    asOwner(state, dir),
  );
  if (result.code !== 0) {
    const log = existsSync(logFile) ? tail(readFileSync(logFile, 'utf8')) : '';
    throw new SetupError(
      `the private PostgreSQL in ${dir} did not start on ${address.host}:${address.port}:\n${tail(result.stderr || result.stdout)}\n${log}`,
      `free port ${address.port} or change it in DATABASE_URL (.env); its log is ${logFile}`,
    );
  }
}

/** Stops the private cluster if it runs; true if it did. */
export async function stopPrivatePostgres(): Promise<boolean> {
  const state = readClusterState();
  if (!state || !existsSync(join(state.binDir, 'pg_ctl')) || !(await isRunning(state))) return false;
  const { dir, dataDir } = privatePostgresPaths();
  const result = await run(
    join(state.binDir, 'pg_ctl'),
    ['-D', dataDir, '-m', 'fast', '-w', 'stop'],
    asOwner(state, dir),
  );
  return result.code === 0;
}
