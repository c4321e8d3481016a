import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Fenced code blocks of the docs, with what their info string says about running them:
 *   ```sh run / ```ts run            executed by docs.test.ts against a running system
 *   ```sh proved-by=<file>           run by that script or test (it must contain every line)
 *   ```sh norun="<why>"              cannot run here (a cluster, a terminal of its own), and why
 * A block in a language that runs (sh, bash, ts, tsx, js) must say one of them.
 */
export interface DocBlock {
  file: string;
  line: number;
  lang: string;
  mode:
    | { kind: 'run' }
    | { kind: 'proved-by'; file: string }
    | { kind: 'norun'; reason: string }
    | { kind: 'unmarked' };
  code: string;
}

export const RUNNABLE_LANGUAGES = new Set(['sh', 'bash', 'shell', 'ts', 'tsx', 'js', 'mjs']);

export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name));
  const packageReadmes = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name, 'README.md'))
    .filter((path) => {
      try {
        return readFileSync(path, 'utf8').length > 0;
      } catch {
        return false;
      }
    });
  return [join(root, 'README.md'), ...docs, ...packageReadmes];
}

function modeOf(attributes: string): DocBlock['mode'] {
  if (/^run$/.test(attributes)) return { kind: 'run' };
  const proved = /^proved-by=(\S+)$/.exec(attributes);
  if (proved?.[1]) return { kind: 'proved-by', file: proved[1] };
  const norun = /^norun="([^"]+)"$/.exec(attributes);
  if (norun?.[1]) return { kind: 'norun', reason: norun[1] };
  return { kind: 'unmarked' };
}

export function docBlocks(root: string, path: string): DocBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith('```'); i++) body.push(lines[i] ?? '');
    const lang = open[1] ?? '';
    if (!lang) continue;
    blocks.push({
      file: relative(root, path),
      line: start + 1,
      lang,
      mode: modeOf((open[2] ?? '').trim()),
      code: body.join('\n'),
    });
  }
  return blocks;
}
