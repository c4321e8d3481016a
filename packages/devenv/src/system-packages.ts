import { findExecutable, run, tail } from './commands.js';
import { detail, step } from './report.js';

/** The OS package manager the quickstart may install PostgreSQL or Redis with, if any. */
export interface PackageManager {
  name: 'apt' | 'Homebrew';
  /** Installs `packages`; returns false (having said why) when it could not. */
  install(packages: string[]): Promise<boolean>;
  /** The command that removes them again. */
  undo(packages: string[]): string;
  /** Package names of what the quickstart needs. */
  packages: { postgres: string; redis: string };
}

/**
 * apt on Debian/Ubuntu when root or allowed to sudo (without a password, or with a terminal to
 * ask for one); Homebrew when present (it installs without privileges). Otherwise none: the
 * quickstart then takes what needs no privileges (the embedded PostgreSQL).
 */
export async function systemPackageManager(): Promise<PackageManager | undefined> {
  const brew = findExecutable('brew');
  if (brew) return homebrew(brew);
  const aptGet = findExecutable('apt-get');
  if (!aptGet) return undefined;
  if (process.getuid?.() === 0) return apt([aptGet]);
  const sudo = findExecutable('sudo');
  if (!sudo) return undefined;
  const passwordless = (await run(sudo, ['-n', 'true'])).code === 0;
  if (passwordless) return apt([sudo, '-n', aptGet]);
  if (process.stdin.isTTY) return apt([sudo, aptGet], true);
  return undefined;
}

function apt(command: string[], asksPassword = false): PackageManager {
  const [file, ...prefix] = command as [string, ...string[]];
  const sudo = file.endsWith('sudo') ? 'sudo ' : '';
  let updated = false;
  return {
    name: 'apt',
    packages: { postgres: 'postgresql', redis: 'redis-server' },
    async install(packages) {
      step(
        `installing ${packages.join(', ')} with ${sudo}apt-get${asksPassword ? ' (sudo may ask for your password)' : ''}`,
      );
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      if (!updated) {
        const update = await run(file, [...prefix, 'update', '-qq'], { env, inherit: asksPassword });
        if (update.code !== 0) {
          detail(`apt-get update failed:\n${tail(update.stderr)}`);
          return false;
        }
        updated = true;
      }
      const result = await run(file, [...prefix, 'install', '-y', '-qq', ...packages], { env, inherit: asksPassword });
      if (result.code !== 0) {
        detail(`apt-get install failed:\n${tail(result.stderr || result.stdout)}`);
        return false;
      }
      detail(`installed ${packages.join(', ')}; undo: ${this.undo(packages)}`);
      return true;
    },
    undo: (packages) => `${sudo}apt-get remove ${packages.join(' ')}`,
  };
}

function homebrew(brew: string): PackageManager {
  return {
    name: 'Homebrew',
    packages: { postgres: 'postgresql@17', redis: 'redis' },
    async install(packages) {
      step(`installing ${packages.join(', ')} with Homebrew`);
      const result = await run(brew, ['install', ...packages], { inherit: true });
      if (result.code !== 0) {
        detail('brew install failed (its output is above)');
        return false;
      }
      detail(`installed ${packages.join(', ')}; undo: ${this.undo(packages)}`);
      return true;
    },
    undo: (packages) => `brew uninstall ${packages.join(' ')}`,
  };
}
