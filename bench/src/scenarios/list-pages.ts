import { z } from 'zod';
import { type BenchContext, startBenchApi } from '../context.js';
import { type ApiInstance, cacheRequests, getOk, login, parseTrpcPage, setLiked, trpcQueryPath } from '../inkwell.js';
import { type ClosedLoopResult, closedLoop, httpGet } from '../load.js';
import { stopAll } from '../processes.js';
import { numericTarget, type ScenarioReport, type TargetCheck } from '../report.js';
import type { Runtime } from '../runtimes.js';
import { BENCH_PASSWORD } from '../seed.js';
import { summarize } from '../stats.js';

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

export interface AfterLikeFigures {
  reads: ClosedLoopResult;
  /** Reads right after a like that the cache answered (inkwell_cache_requests_total, hit). */
  hits: number;
  /** Reads right after a like that showed the post's new likeCount. */
  fresh: number;
  count: number;
}

const trpcListItems = z.object({
  result: z.object({ data: z.object({ items: z.array(z.object({ id: z.string(), likeCount: z.number() })) }) }),
});

/**
 * "A like between two list reads leaves the list warm": `count` times, a signed-in reader likes
 * (or unlikes) a post shown in the first page, then the page is read anonymously and timed; the
 * api's cache counters say whether the read was a hit, and the page must show the new count.
 */
async function readsAfterLikes(
  ctx: BenchContext,
  api: ApiInstance,
  path: string,
  count: number,
): Promise<AfterLikeFigures> {
  const reader = ctx.seeded.authors[0];
  if (!reader) throw new Error('no seeded author');
  const token = await login(api.url, reader.email, BENCH_PASSWORD);
  const latencies: number[] = [];
  let hits = 0;
  let fresh = 0;
  for (let i = 0; i < count; i++) {
    // Like a post, then unlike it again: every change moves its likeCount.
    const post = ctx.seeded.posts[(Math.floor(i / 2) * 7) % 100];
    if (!post) break;
    await getOk(`${api.url}${path}`); // the read before the like: the page is warm
    const changed = await setLiked(api.url, token, post.id, i % 2 === 0);
    if (!changed) throw new Error(`posts.${i % 2 === 0 ? 'like' : 'unlike'} of ${post.id} failed`);
    const hitsBefore = await cacheRequests(api.url, ctx.metricsToken, 'posts.list', 'hit');
    const t0 = performance.now();
    const body = await getOk(`${api.url}${path}`);
    latencies.push(performance.now() - t0);
    if ((await cacheRequests(api.url, ctx.metricsToken, 'posts.list', 'hit')) > hitsBefore) hits++;
    const shown = trpcListItems.parse(JSON.parse(body)).result.data.items.find((item) => item.id === post.id);
    if (shown?.likeCount === changed.likeCount) fresh++;
  }
  const summary = summarize(latencies);
  return { reads: { ...summary, perSecond: 0, elapsedMs: 0 }, hits, fresh, count: latencies.length };
}

/** Scenario 2 on one runtime: every size walked on a cache-off api (cold) and a cached one (warm). */
export async function measurePages(
  ctx: BenchContext,
  runtime: Runtime,
  durationMs: number,
  likedReads = 0,
): Promise<{ pages: PageFigures[]; afterLike: AfterLikeFigures | null }> {
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
      ctx.step(`${size} posts cold (${runtime.label})`);
      const coldResult = await closedLoop({ ...loop, task: () => walk(cold.url, paths) });
      ctx.step(`${size} posts warm (${runtime.label})`);
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
    const firstPage = (await pagePaths(warmUrl, PAGE_SIZES[0]))[0] ?? '';
    ctx.step(`${likedReads} list reads right after a like`);
    const afterLike = likedReads > 0 ? await readsAfterLikes(ctx, warm, firstPage, likedReads) : null;
    return { pages: figures, afterLike };
  } finally {
    await stopAll([cold.proc, warm?.proc]);
  }
}

export async function listPagesScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.pages;
  const { pages: figures, afterLike } = await measurePages(ctx, ctx.runtime, s.durationMs, s.likedReads);
  const first = figures[0];
  const rows: Array<Array<string | number>> = figures.map((f) => [
    f.size,
    f.pages,
    f.cold.p50Ms,
    f.cold.p99Ms,
    f.warm.p50Ms,
    f.warm.p99Ms,
    f.speedupP50,
    f.speedupP99,
  ]);
  if (first && afterLike) {
    rows.push([
      `${first.size}, read right after a like`,
      1,
      first.cold.p50Ms,
      first.cold.p99Ms,
      afterLike.reads.p50Ms,
      afterLike.reads.p99Ms,
      first.cold.p50Ms / afterLike.reads.p50Ms,
      first.cold.p99Ms / afterLike.reads.p99Ms,
    ]);
  }
  const targets: TargetCheck[] = first
    ? [
        numericTarget('warm posts.list at 100 posts, p50 speedup', first.speedupP50, 'min', 10, '×', (v) =>
          v.toFixed(1),
        ),
      ]
    : [];
  if (afterLike) {
    targets.push({
      name: 'a like between two list reads leaves the list warm (reads after a like that were cache hits)',
      goal: `${afterLike.count} of ${afterLike.count}`,
      value: `${afterLike.hits} of ${afterLike.count}`,
      met: afterLike.hits === afterLike.count,
    });
    targets.push({
      name: 'the read after a like shows the new likeCount',
      goal: `${afterLike.count} of ${afterLike.count}`,
      value: `${afterLike.fresh} of ${afterLike.count}`,
      met: afterLike.fresh === afterLike.count,
    });
  }
  const series = first
    ? [
        { label: 'cold (CACHE_ENABLED=false)', points: first.cold.distribution },
        { label: 'warm', points: first.warm.distribution },
        ...(afterLike ? [{ label: 'read right after a like', points: afterLike.reads.distribution }] : []),
      ]
    : [];
  return {
    id: 2,
    title: 'posts.list: cold (CACHE_ENABLED=false) vs warm',
    setup: `${ctx.runtime.label} ${ctx.runtime.version}; ${s.concurrency} client, ≥ ${s.durationMs / 1000} s and ≥ ${s.minWalks} walks per cell; a size past 100 is a walk through pages of 100 (limit cap) following nextCursor, latency per walk; ~600-byte posts with author and two tags. After a like: ${s.likedReads} times, a signed-in reader likes or unlikes a post of the first page between two anonymous reads of it; the second read is timed, and the api's cache counter says whether it was a hit.`,
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
    rows,
    targets,
    notes: ['Reference: the seed recipe API (FastAPI, Redis) got 5.2× warm vs cold on its smallest page.'],
    figures: [
      ...figures.map((f) => ({
        name: `${f.size} posts warm p50 speedup`,
        value: f.speedupP50,
        unit: '×',
        better: 'higher' as const,
      })),
      ...figures.map((f) => ({
        name: `${f.size} posts cold p50`,
        value: f.cold.p50Ms,
        unit: 'ms',
        better: 'lower' as const,
      })),
      ...(first && afterLike
        ? [
            {
              name: 'read after a like p50 speedup',
              value: first.cold.p50Ms / afterLike.reads.p50Ms,
              unit: '×',
              better: 'higher' as const,
            },
          ]
        : []),
    ],
    charts: series.length
      ? [{ kind: 'percentiles', title: 'Scenario 2: posts.list, 100 posts, latency by percentile', series }]
      : [],
    data: { pages: figures, afterLike },
  };
}
