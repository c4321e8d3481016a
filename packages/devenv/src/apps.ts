import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tail } from './commands.js';
import { type QuickstartEnv, repoRoot } from './env-file.js';
import { detail, SetupError, step } from './report.js';

/** What `pnpm dev` runs, as the quickstart checks and shows it. */
export interface Endpoint {
  name: string;
  /** Answers 2xx once the process is ready. */
  probe: string;
  /** What a person opens. */
  open: string;
  about: string;
}

export function webAppExists(): boolean {
  return existsSync(join(repoRoot, 'packages/web/package.json'));
}

export function endpoints(env: QuickstartEnv): Endpoint[] {
  const api = `http://127.0.0.1:${env.PORT}`;
  const inbox = `http://127.0.0.1:${env.MAIL_INBOX_PORT}`;
  const web = (env.PUBLIC_WEB_URL ?? 'http://127.0.0.1:5173').replace(/\/$/, '');
  return [
    ...(webAppExists() ? [{ name: 'web app', probe: web, open: web, about: 'sign in, write, comment' }] : []),
    { name: 'api', probe: `${api}/readyz`, open: api, about: '/trpc (the SDK), /api (REST), /docs' },
    { name: 'mail inbox', probe: `${inbox}/api/healthz`, open: inbox, about: 'every mail the worker sends lands here' },
    {
      name: 'worker',
      probe: `http://127.0.0.1:${env.WORKER_METRICS_PORT}/healthz`,
      open: `http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`,
      about: 'outbox -> queue -> SMTP',
    },
  ];
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export function printBanner(env: QuickstartEnv): void {
  const lines = endpoints(env).map((e) => `    ${e.name.padEnd(11)} ${e.open.padEnd(30)} ${e.about}`);
  process.stdout.write(
    [
      '',
      '  Inkwell:',
      ...lines,
      '    sign in as  ada@inkwell.dev / inkwell-dev-password (admin: admin@inkwell.dev, same password)',
      '',
      '  npm run stop stops it all, and the private PostgreSQL/Redis if the quickstart started them.',
      '  pnpm in this shell: source scripts/lib.sh && setup_pnpm (or use npm run <script>).',
      '',
    ].join('\n'),
  );
}

const appsDir = join(repoRoot, '.tmp/quickstart');
const pidFile = join(appsDir, 'dev.pid');
export const appsLog = join(appsDir, 'dev.log');

/** The process group of a detached `pnpm dev` started by an earlier run, if it still runs. */
function runningGroup(): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    process.kill(-pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** `pnpm dev` in this terminal until Ctrl-C; PostgreSQL and Redis keep running. */
export function runForeground(pnpm: string, env: QuickstartEnv): Promise<never> {
  if (runningGroup()) {
    throw new SetupError('Inkwell already runs in the background (npm run quickstart -- --detach)', 'npm run stop');
  }
  printBanner(env);
  const child = spawn(pnpm, ['dev'], { cwd: repoRoot, stdio: 'inherit' });
  // Ctrl-C reaches the whole foreground group; we wait for dev to stop, then exit with it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((_, reject) => {
    child.on('exit', (code) => {
      process.stdout.write(
        '\nstopped. PostgreSQL and Redis still run (npm test uses them); npm run stop stops them.\n',
      );
      process.exit(code ?? 0);
    });
    child.on('error', reject);
  });
}

/** `pnpm dev` in the background (log in .tmp/quickstart/dev.log), returning once all answer. */
export async function runDetached(pnpm: string, env: QuickstartEnv, timeoutMs = 180_000): Promise<void> {
  const list = endpoints(env);
  const running = runningGroup();
  let exited: string | undefined;
  if (running) {
    step(`the apps already run in the background (process group ${running}, log .tmp/quickstart/dev.log)`);
  } else {
    mkdirSync(appsDir, { recursive: true });
    const log = openSync(appsLog, 'w');
    const child = spawn(pnpm, ['dev'], { cwd: repoRoot, detached: true, stdio: ['ignore', log, log] });
    if (!child.pid) throw new SetupError('could not start pnpm dev', 'run pnpm dev by hand to see why');
    writeFileSync(pidFile, `${child.pid}\n`);
    child.on('exit', (code, signal) => {
      exited = `pnpm dev exited (${signal ?? code})`;
    });
    child.unref();
    step(`starting ${list.map((e) => e.name).join(', ')} in the background (log .tmp/quickstart/dev.log)`);
  }
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(list);
  while (pending.size) {
    for (const endpoint of [...pending]) if (await answers(endpoint.probe)) pending.delete(endpoint);
    if (!pending.size) break;
    // A process entry that cannot start says so in one line (runProcessEntry); under `tsx
    // watch` it then waits for a file change instead of exiting, so read the log for it.
    const crashed = existsSync(appsLog)
      ? /: (failed to start|Invalid configuration)/.exec(readFileSync(appsLog, 'utf8'))
      : null;
    if (crashed) exited ??= 'a process failed to start';
    if (exited || Date.now() > deadline) {
      const log = existsSync(appsLog) ? tail(readFileSync(appsLog, 'utf8'), 30) : '';
      throw new SetupError(
        `${[...pending].map((e) => `${e.name} (${e.probe})`).join(', ')} did not answer${exited ? `: ${exited}` : ` within ${timeoutMs / 1000} s`}\n\n${log}`,
        'see .tmp/quickstart/dev.log; npm run stop, then npm run quickstart again',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  for (const endpoint of list) detail(`${endpoint.name} answers at ${endpoint.probe}`);
}

/** Stops a detached `pnpm dev` (its whole process group); true if one ran. */
export async function stopApps(): Promise<boolean> {
  const group = runningGroup();
  if (!group) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(-group, 'SIGTERM');
  for (let waited = 0; waited < 30_000; waited += 200) {
    if (!runningGroup()) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (runningGroup()) process.kill(-group, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}
