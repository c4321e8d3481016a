import { type BenchContext, startBenchApi } from '../context.js';
import { type ApiInstance, getOk, parseTrpcPage, trpcQueryPath } from '../inkwell.js';
import { type ClosedLoopResult, closedLoop, httpGet } from '../load.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';
import type { Runtime } from '../runtimes.js';

/** posts.list caps `limit` at 100: a "page of N posts" past 100 is the walk over ceil(N/100) pages. */
export const PAGE_SIZES = [100, 1_130, 2_480] as const;
const MAX_LIMIT = 100;

/**
 * The request paths that read the newest `size` posts of the feed: pages of 100 following
 * `nextCursor`, the last one with `limit` = what remains. Checks the walk returns exactly `size`
 * distinct posts, so a broken cursor cannot make a fast-looking result.
 */
export async function pagePaths(baseUrl: string, size: number): Promise<string[]> {
  const paths: string[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  while (seen.size < size) {
    const limit = Math.min(MAX_LIMIT, size - seen.size);
    const path = trpcQueryPath('posts.list', cursor ? { limit, cursor } : { limit });
    const page = parseTrpcPage(await getOk(`${baseUrl}${path}`));
    for (const item of page.items) seen.add(item.id);
    paths.push(path);
    if (page.items.length !== limit)
      throw new Error(`posts.list page ${paths.length}: ${page.items.length} items, expected ${limit}`);
    cursor = page.nextCursor;
    if (!cursor && seen.size < size) throw new Error(`posts.list ended after ${seen.size} posts, expected ${size}`);
  }
  if (seen.size !== size) throw new Error(`walk returned ${seen.size} distinct posts, expected ${size}`);
  return paths;
}

async function walk(baseUrl: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const answer = await httpGet(`${baseUrl}${path}`);
    if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status}`);
  }
}

export interface PageFigures {
  size: number;
  pages: number;
  cold: ClosedLoopResult;
  warm: ClosedLoopResult;
  speedupP50: number;
  speedupP99: number;
}

/** Scenario 2 on one runtime: every size walked on a cache-off api (cold) and a cached one (warm). */
export async function measurePages(ctx: BenchContext, runtime: Runtime, durationMs: number): Promise<PageFigures[]> {
  const s = ctx.settings.pages;
  const cold = await startBenchApi(ctx, { name: `api cold (${runtime.label})`, cacheEnabled: false, runtime });
  let warm: ApiInstance | undefined;
  try {
    warm = await startBenchApi(ctx, { name: `api warm (${runtime.label})`, cacheEnabled: true, runtime });
    const warmUrl = warm.url;
    const figures: PageFigures[] = [];
    for (const size of PAGE_SIZES) {
      const paths = await pagePaths(cold.url, size);
      const loop = { concurrency: s.concurrency, durationMs, minIterations: s.minWalks };
      // One untimed walk each: JIT and connection warm-up for both, cache fill for the warm api.
      await walk(cold.url, paths);
      await walk(warmUrl, paths);
      const coldResult = await closedLoop({ ...loop, task: () => walk(cold.url, paths) });
      const warmResult = await closedLoop({ ...loop, task: () => walk(warmUrl, paths) });
      figures.push({
        size,
        pages: paths.length,
        cold: coldResult,
        warm: warmResult,
        speedupP50: coldResult.p50Ms / warmResult.p50Ms,
        speedupP99: coldResult.p99Ms / warmResult.p99Ms,
      });
    }
    return figures;
  } finally {
    await stopAll([cold.proc, warm?.proc]);
  }
}

export async function listPagesScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.pages;
  const figures = await measurePages(ctx, ctx.runtime, s.durationMs);
  const first = figures[0];
  return {
    id: 2,
    title: 'posts.list: cold (CACHE_ENABLED=false) vs warm',
    setup: `${ctx.runtime.label} ${ctx.runtime.version}; ${s.concurrency} client, ≥ ${s.durationMs / 1000} s and ≥ ${s.minWalks} walks per cell; a size past 100 is a walk through pages of 100 (limit cap) following nextCursor, latency per walk; ~600-byte posts with author and two tags.`,
    columns: [
      'posts',
      'pages',
      'cold p50 ms',
      'cold p99 ms',
      'warm p50 ms',
      'warm p99 ms',
      'speedup p50',
      'speedup p99',
    ],
    rows: figures.map((f) => [
      f.size,
      f.pages,
      f.cold.p50Ms,
      f.cold.p99Ms,
      f.warm.p50Ms,
      f.warm.p99Ms,
      f.speedupP50,
      f.speedupP99,
    ]),
    targets: first
      ? [
          {
            name: 'warm posts.list at 100 posts, p50 speedup',
            goal: '≥ 10×',
            value: `${first.speedupP50.toFixed(1)}×`,
            met: first.speedupP50 >= 10,
          },
        ]
      : [],
    notes: ['Reference: the seed recipe API (FastAPI, Redis) got 5.2× warm vs cold on its smallest page.'],
    data: figures,
  };
}
