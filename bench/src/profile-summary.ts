import { readdirSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { paths } from './paths.js';

/**
 * Where the time goes in a V8 CPU profile (`node --cpu-prof`): self time grouped by package
 * (or workspace file, node internals, GC) and the top functions, as shares of busy (non-idle) time. Usage:
 *   pnpm --filter @inkwell/bench profile [file.cpuprofile]   (default: newest in bench/.work/profiles)
 */
const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Groups a script URL: a package name, a workspace file, or a V8/node category. */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm?.[1]) return pnpm[1];
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (plain?.[1]) return plain[1];
  const workspace = /\/(packages\/[^/]+\/(?:dist|src)\/.+)$/.exec(url);
  if (workspace?.[1]) return workspace[1];
  return url;
}

export function summarizeProfile(file: string, top = 20) {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') idle += us;
    else total += us;
  }
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${group}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { busyMs: total / 1000, idleMs: idle / 1000, groups: ranked(groups), functions: ranked(functions) };
}

function newestProfile(): string {
  const dir = `${paths.work}profiles/`;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => `${dir}${f}`)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) throw new Error(`no .cpuprofile in ${dir}: run the bench with BENCH_CPU_PROFILE=1`);
  return files[0];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? newestProfile();
  const summary = summarizeProfile(file);
  const line = (r: { name: string; ms: number; share: number }) =>
    `| ${r.name} | ${r.ms.toFixed(0)} | ${(r.share * 100).toFixed(1)}% |`;
  process.stdout.write(
    [
      `${file}: ${summary.busyMs.toFixed(0)} ms busy (shares below), ${summary.idleMs.toFixed(0)} ms idle`,
      '',
      '| self time by package / file | ms | share |',
      '| --- | --- | --- |',
      ...summary.groups.map(line),
      '',
      '| top functions (self) | ms | share |',
      '| --- | --- | --- |',
      ...summary.functions.map(line),
      '',
    ].join('\n'),
  );
}
