import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { paths } from './paths.js';

/** The built code a scenario runs: the api and worker entries of one checkout. */
export interface Build {
  /** `working tree` or the ref given to --compare. */
  label: string;
  commit: string;
  root: string;
  apiEntry: string;
  workerEntry: string;
}

function git(args: string[], cwd = paths.repoRoot): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function entries(root: string): Pick<Build, 'apiEntry' | 'workerEntry'> {
  return { apiEntry: `${root}packages/api/dist/main.js`, workerEntry: `${root}packages/worker/dist/main.js` };
}

/** This checkout, as `pnpm bench` just built it (`+dirty` when it has uncommitted changes). */
export function currentBuild(): Build {
  const commit = git(['rev-parse', '--short=12', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    label: 'working tree',
    commit: dirty ? `${commit}+dirty` : commit,
    root: paths.repoRoot,
    ...entries(paths.repoRoot),
  };
}

export function assertBuilt(build: Build): void {
  for (const entry of [build.apiEntry, build.workerEntry]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first (\`pnpm bench\` does)`);
  }
}

/** pnpm as the bench was started with it (`pnpm bench` sets npm_execpath), else through corepack. */
function pnpmCommand(): { command: string; prefix: string[] } {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return /\.c?js$/.test(execPath)
      ? { command: process.execPath, prefix: [execPath] }
      : { command: execPath, prefix: [] };
  }
  return { command: 'corepack', prefix: ['pnpm'] };
}

/** Runs a command in `cwd`, its output kept for the error message; killed past `timeoutMs`. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} in ${cwd}: ${signal ?? `exit ${code}`}\n${tail}`));
    });
  });
}

const INSTALL_TIMEOUT_MS = 5 * 60_000;
const BUILD_TIMEOUT_MS = 8 * 60_000;

/**
 * Another commit, built for a same-run comparison: `git archive` of `ref` unpacked into
 * `.tmp/bench-compare/<commit>/` (no worktree bookkeeping in .git), installed from pnpm's store
 * with the lockfile of that commit, built with its own `pnpm build`. `remove()` deletes the folder.
 */
export async function prepareBuild(
  ref: string,
  log: (message: string) => void,
): Promise<{ build: Build; notes: string[]; remove(): void }> {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--short=12', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--compare ${ref}: not a commit of this repository`);
  }
  const root = `${paths.repoRoot}.tmp/bench-compare/${commit}/`;
  const remove = () => rmSync(root, { recursive: true, force: true });
  remove();
  mkdirSync(root, { recursive: true });
  try {
    log(`compare: unpacking ${ref} (${commit}) into ${root}`);
    await run(
      'sh',
      ['-c', `git -C "$1" archive --format=tar "$2" | tar -x -C "$3"`, 'sh', paths.repoRoot, commit, root],
      paths.repoRoot,
      60_000,
    );
    const pnpm = pnpmCommand();
    log('compare: pnpm install --frozen-lockfile --prefer-offline');
    await run(
      pnpm.command,
      [...pnpm.prefix, 'install', '--frozen-lockfile', '--prefer-offline'],
      root,
      INSTALL_TIMEOUT_MS,
    );
    log('compare: pnpm build');
    await run(pnpm.command, [...pnpm.prefix, 'build'], root, BUILD_TIMEOUT_MS);
    const build: Build = { label: ref, commit, root, ...entries(root) };
    assertBuilt(build);
    const migrations = git(['diff', '--name-only', commit, '--', ':(glob)**/migrations/**']);
    const notes = [
      'Each scenario runs on both builds one after the other (which goes first alternates), in the same run; both share the bench database (migrated and seeded once) and the Redis server, each build under its own key prefix.',
      ...(migrations
        ? [
            `Migrations differ between the builds (${migrations.split('\n').join(', ')}): the database has the working tree's schema, which the old build runs on.`,
          ]
        : []),
    ];
    return { build, notes, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
