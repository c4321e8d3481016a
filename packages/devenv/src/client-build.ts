import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './env-file.js';

/**
 * The SDK's dist/ is what `import '@inkwell/client'` loads outside the workspace's source
 * condition: a reader's scratch file, the doc test, the packed-package test. Builds of it
 * rewrite dist/ in place, so whoever builds or reads it while others may build holds this lock.
 */
const lockDir = join(repoRoot, '.tmp/client-build.lock');
const STALE_LOCK_MS = 10 * 60_000;

export async function withClientBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // Held; a holder that died long ago (a killed run) left it behind.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > STALE_LOCK_MS) {
        rmSync(lockDir, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** dist/ is missing or older than a source it is built from (the client's and the api's). */
export function clientBuildIsStale(): boolean {
  const built = join(repoRoot, 'packages/client/dist/index.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const sources = ['packages/client/src', 'packages/client/scripts', 'packages/api/src', 'packages/db/src'].map((dir) =>
    join(repoRoot, dir),
  );
  return sources.some((dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true }).some(
      (entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > builtAt,
    ),
  );
}
