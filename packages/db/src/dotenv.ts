import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Loads the nearest `.env` above the working directory into process.env (process entries and
 * scripts only). Variables already set in the environment win. With NODE_ENV=production or
 * test the file is ignored: those environments are configured explicitly, never by a stray file.
 */
export function loadDotEnv(from: string = process.cwd()): string | undefined {
  if (process.env.NODE_ENV === 'production' || process.env.NODE_ENV === 'test') return undefined;
  let dir = from;
  for (;;) {
    const candidate = join(dir, '.env');
    if (existsSync(candidate)) {
      process.loadEnvFile(candidate);
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
