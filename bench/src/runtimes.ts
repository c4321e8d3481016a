import { execFileSync } from 'node:child_process';
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
