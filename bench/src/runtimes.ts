import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { paths } from './paths.js';

export interface Runtime {
  label: string;
  /** Path of the node binary. */
  node: string;
  version: string;
}

/** The Node that runs the bench itself (the machine's Node 20). */
export function currentRuntime(): Runtime {
  return { label: `node${process.versions.node.split('.')[0]}`, node: process.execPath, version: process.version };
}

/**
 * Node 24 from the npm registry's `node` package, installed into bench/.node24 by
 * `pnpm --filter @inkwell/bench node24`. Returns why it is unavailable instead of throwing, so the
 * runtime scenario can report the exact failure.
 */
export function node24Runtime(): Runtime | { error: string } {
  if (!existsSync(paths.node24Bin)) {
    return { error: `no Node 24 at ${paths.node24Bin}: run \`pnpm --filter @inkwell/bench node24\` first` };
  }
  try {
    const version = execFileSync(paths.node24Bin, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith('v24.')) return { error: `${paths.node24Bin} is ${version}, not Node 24` };
    return { label: 'node24', node: paths.node24Bin, version };
  } catch (error) {
    return { error: `${paths.node24Bin} does not run: ${error instanceof Error ? error.message : String(error)}` };
  }
}

const INSTALL_TIMEOUT_MS = 180_000;

/**
 * Node 24 for the runtime scenario: the installed one, else (mode `install`) installed now by
 * bench/scripts/install-node24.sh from the npm registry, bounded in time. Never throws: the
 * scenario is skipped, with the reason, when Node 24 cannot be had.
 */
export async function ensureNode24(
  mode: 'install' | 'skip',
  log: (message: string) => void,
): Promise<Runtime | { skip: string }> {
  const installed = node24Runtime();
  if (!('error' in installed)) return installed;
  if (mode === 'skip') return { skip: `${installed.error} (BENCH_NODE24=skip)` };
  log('installing Node 24 from the npm registry (bench/scripts/install-node24.sh)…');
  const failure = await new Promise<string | null>((resolve) => {
    execFile(
      'bash',
      [paths.installNode24],
      { timeout: INSTALL_TIMEOUT_MS, encoding: 'utf8' },
      (error, _stdout, stderr) =>
        resolve(error ? `${error.message.split('\n')[0]} ${stderr.trim().split('\n').slice(-3).join(' ')}` : null),
    );
  });
  const after = node24Runtime();
  if (!('error' in after)) return after;
  return {
    skip: `Node 24 is not installed and could not be installed from the npm registry: ${failure ?? after.error}`,
  };
}
