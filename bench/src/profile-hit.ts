import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { currentBuild } from './builds.js';
import { openBench, startBenchApi } from './context.js';
import { getOk, restPostPath, trpcQueryPath } from './inkwell.js';
import { cannon } from './load.js';
import { paths } from './paths.js';
import { summarizeProfile } from './profile-summary.js';
import { log } from './progress.js';
import { currentRuntime } from './runtimes.js';
import { loadSettings } from './settings.js';

/**
 * Where a cached anonymous posts.byId hit spends its time: an api under `node --cpu-prof`, loaded
 * with scenario 1's hit over one path only (tRPC, then REST in a second process), summarized by
 * package and by function. Usage: pnpm --filter @inkwell/bench profile-hit  (PROFILE_SECONDS=10)
 */
const seconds = Number(process.env.PROFILE_SECONDS ?? '10');

async function main(): Promise<void> {
  const { settings, databaseServer, redisUrl } = loadSettings(process.env);
  const bench = await openBench({
    settings,
    runtime: currentRuntime(),
    build: currentBuild(),
    databaseServer,
    redisUrl,
    posts: 100,
    authors: 2,
  });
  const out: string[] = [];
  try {
    const post = bench.ctx.seeded.posts[0];
    if (!post) throw new Error('no seeded post');
    for (const [label, path] of [
      ['tRPC posts.byId (anonymous, cached)', trpcQueryPath('posts.byId', { id: post.id })],
      ['REST GET /api/posts/{id} (anonymous, cached)', restPostPath(post.id)],
    ] as const) {
      const dir = `${paths.work}profiles/${label.split(' ')[0]}`;
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const api = await startBenchApi(bench.ctx, {
        name: `api (profiled)`,
        cacheEnabled: true,
        nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      });
      try {
        await getOk(`${api.url}${path}`);
        await cannon({ url: `${api.url}${path}`, connections: settings.physical.connections, duration: 1 });
        log(`profiling ${label} for ${seconds} s`);
        const result = await cannon({
          url: `${api.url}${path}`,
          connections: settings.physical.connections,
          duration: seconds,
        });
        out.push(`### ${label}: ${result.rps.toFixed(0)} req/s under the profiler`);
      } finally {
        await api.proc.stop();
      }
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no profile written in ${dir}`);
      const summary = summarizeProfile(`${dir}/${file}`, 15);
      const line = (r: { name: string; ms: number; share: number }) =>
        `| ${r.name} | ${r.ms.toFixed(0)} | ${(r.share * 100).toFixed(1)}% |`;
      out.push(
        '',
        `${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle (${dir}/${file})`,
        '',
        '| self time by package / file | ms | share of busy |',
        '| --- | --- | --- |',
        ...summary.groups.map(line),
        '',
        '| top functions (self) | ms | share of busy |',
        '| --- | --- | --- |',
        ...summary.functions.map(line),
        '',
      );
    }
  } finally {
    await bench.close();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
