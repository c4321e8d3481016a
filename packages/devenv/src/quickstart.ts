/**
 * `npm run quickstart` (after scripts/quickstart.sh installed the workspace): PostgreSQL and
 * Redis where .env points (started if need be), the role and database, migrations, seed data,
 * the SDK build, then `pnpm dev` in the foreground, or in the background with --detach.
 */
import { parseArgs } from 'node:util';
import { printBanner, runDetached, runForeground } from './apps.js';
import { clientBuildIsStale, withClientBuildLock } from './client-build.js';
import { findExecutable, run } from './commands.js';
import { ensureEnvFile, readEnv, repoRoot, serverOf } from './env-file.js';
import { ensurePostgres } from './postgres.js';
import { ensureRedis } from './redis.js';
import { runCommand, SetupError, step } from './report.js';
import { type PackageManager, systemPackageManager } from './system-packages.js';

const { values: flags } = parseArgs({
  options: {
    detach: { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
  },
});

async function pnpmStep(pnpm: string, args: string[], what: string): Promise<void> {
  step(what);
  const result = await run(pnpm, args, { cwd: repoRoot, inherit: true });
  if (result.code !== 0) throw new SetupError(`${what} failed (its output is above)`, `pnpm ${args.join(' ')}`);
}

runCommand(async (): Promise<undefined> => {
  const pnpm = findExecutable('pnpm');
  if (!pnpm) throw new SetupError('pnpm is not on PATH', 'npm run quickstart (it puts the pinned pnpm on PATH)');
  const { env } = readEnv(ensureEnvFile());

  let manager: Promise<PackageManager | undefined> | undefined;
  const packageManager = () => {
    if (flags['no-install']) return Promise.resolve(undefined);
    manager ??= systemPackageManager();
    return manager;
  };
  await ensurePostgres(serverOf(env.DATABASE_URL, 5432), packageManager);
  await ensureRedis(serverOf(env.REDIS_URL, 6379), packageManager);

  await pnpmStep(pnpm, ['--silent', 'db:migrate'], 'migrating the database');
  await pnpmStep(pnpm, ['--silent', 'db:seed'], 'seeding demo data (idempotent)');
  await withClientBuildLock(async () => {
    if (!clientBuildIsStale()) return step('@inkwell/client (the SDK) is built and up to date');
    await pnpmStep(pnpm, ['--silent', '--filter', '@inkwell/client', 'build'], 'building @inkwell/client (the SDK)');
  });

  if (flags.detach) {
    await runDetached(pnpm, env);
    printBanner(env);
    return;
  }
  await runForeground(pnpm, env);
});
