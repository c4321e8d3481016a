import { setTimeout as sleep } from 'node:timers/promises';
import { startBareServer } from '../baselines.js';
import { type BenchContext, startBenchApi } from '../context.js';
import { getOk, REST_MISSING_NOTE, restAvailable, restPostPath, trpcQueryPath } from '../inkwell.js';
import { cannon } from '../load.js';
import type { MeasuredProcess } from '../processes.js';
import { stopAll } from '../processes.js';
import { numericTarget, type ScenarioReport } from '../report.js';
import { linearFit, median } from '../stats.js';

export interface RssPoint {
  requests: number;
  /** Median VmRSS sampled during the step (the 0 point: idle samples before any request). */
  rssMiB: number;
  /** Highest sample of the step. */
  maxMiB: number;
  rps: number;
}

const SAMPLE_MS = 200;

/** VmRSS of `proc` every 200 ms while `work` runs: the median and the highest sample. */
async function sampledRss(proc: MeasuredProcess, work: Promise<unknown>): Promise<{ median: number; max: number }> {
  const samples = [proc.rssMiB()];
  const timer = setInterval(() => samples.push(proc.rssMiB()), SAMPLE_MS);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
  samples.push(proc.rssMiB());
  return { median: median(samples), max: Math.max(...samples) };
}

/**
 * Sends requests up to each checkpoint (cumulative), sampling VmRSS during each step: the
 * median of a step is robust to the GC's saw-tooth (V8 gives memory back after a major GC, so a
 * single reading after a step lands anywhere between the troughs and the peaks).
 */
async function rssCurve(
  proc: MeasuredProcess,
  baseUrl: string,
  paths: string[],
  checkpoints: number[],
  connections: number,
  step: (message: string) => void,
): Promise<RssPoint[]> {
  const idle = await sampledRss(proc, sleep(1_000));
  const points: RssPoint[] = [{ requests: 0, rssMiB: idle.median, maxMiB: idle.max, rps: 0 }];
  let sent = 0;
  for (const checkpoint of checkpoints) {
    step(
      `${proc.name}: ${sent.toLocaleString('en-US')} → ${checkpoint.toLocaleString('en-US')} of ${(checkpoints.at(-1) ?? 0).toLocaleString('en-US')} requests`,
    );
    const load = cannon({ url: baseUrl, connections, amount: checkpoint - sent, paths });
    const rss = await sampledRss(proc, load);
    const result = await load;
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${proc.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    sent = checkpoint;
    points.push({ requests: checkpoint, rssMiB: rss.median, maxMiB: rss.max, rps: result.rps });
  }
  return points;
}

/**
 * RSS growth after warm-up as a slope: a least-squares line through the points from
 * `warmupRequests` on, as MiB per million requests and as a share of the fitted RSS where
 * warm-up ends. Endpoint ratios depend on when RSS levels off; a fitted slope does not.
 */
export function rssSlope(points: RssPoint[], warmupRequests: number) {
  const after = points.filter((p) => p.requests >= warmupRequests);
  if (after.length < 3) return null;
  const fit = linearFit(after.map((p) => [p.requests, p.rssMiB] as const));
  const start = fit.intercept + fit.slope * warmupRequests;
  const perMillionMiB = fit.slope * 1_000_000;
  return { perMillionMiB, perMillionShare: perMillionMiB / start, r2: fit.r2, points: after.length, fit };
}

/** Scenario 6: api RSS at start and after 100k … 1M cached reads; a bare node:http alongside. */
export async function memoryScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.memory;
  const api = await startBenchApi(ctx, { name: 'api (memory)', cacheEnabled: true });
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    // A realistic spread of cached anonymous reads: 100 posts over tRPC and REST, plus the first page.
    const ids = ctx.seeded.posts.slice(0, 100).map((p) => p.id);
    const withRest = ids[0] ? await restAvailable(api.url, ids[0]) : false;
    const paths = [
      ...ids.map((id) => trpcQueryPath('posts.byId', { id })),
      ...(withRest ? ids.map((id) => restPostPath(id)) : []),
      trpcQueryPath('posts.list', { limit: 20 }),
    ];
    const sample = await getOk(`${api.url}${paths[0]}`);
    ctx.step(
      `api: ${s.checkpoints.length} checkpoints to ${(s.checkpoints.at(-1) ?? 0).toLocaleString('en-US')} requests`,
    );
    const apiPoints = await rssCurve(api.proc, api.url, paths, s.checkpoints, s.connections, ctx.step);
    await stopAll([api.proc]);

    bare = await startBareServer(ctx.runtime, Buffer.from(sample), 'application/json');
    const barePoints = await rssCurve(bare.proc, bare.url, paths, s.bareCheckpoints, s.connections, ctx.step);

    const last = s.checkpoints.at(-1) ?? 0;
    const slope = rssSlope(apiPoints, s.warmupRequests);
    const firstPoint = apiPoints[1];
    const lastPoint = apiPoints.at(-1);
    const endpointGrowth = firstPoint && lastPoint ? (lastPoint.rssMiB - firstPoint.rssMiB) / firstPoint.rssMiB : null;
    const rows = apiPoints.map((p) => {
      const barePoint = barePoints.find((b) => b.requests === p.requests);
      return [p.requests.toLocaleString('en-US'), p.rssMiB, p.maxMiB, p.rps || '', barePoint ? barePoint.rssMiB : ''];
    });
    return {
      id: 6,
      title: 'Memory: api RSS under sustained cached reads',
      setup: `${ctx.runtime.label}; autocannon, ${s.connections} connections, cumulative requests cycling over ${paths.length} cached paths (posts.byId over ${withRest ? 'tRPC and REST' : 'tRPC'} for 100 posts, first page of posts.list); VmRSS from /proc/<pid>/status every 200 ms during each step (median and max of the step); bare node:http baseline to ${(s.bareCheckpoints.at(-1) ?? 0).toLocaleString('en-US')} requests.`,
      columns: [
        'requests',
        'api RSS MiB (median in step)',
        'api RSS MiB (max in step)',
        'api req/s in step',
        'bare RSS MiB',
      ],
      rows,
      targets: slope
        ? [
            numericTarget(
              `RSS growth per 1M requests after warm-up (slope from ${s.warmupRequests.toLocaleString('en-US')} requests on)`,
              slope.perMillionShare * 100,
              'max',
              10,
              ' %',
              (v) => v.toFixed(1),
            ),
          ]
        : [],
      notes: [
        ...(withRest ? [] : [REST_MISSING_NOTE]),
        slope
          ? `Least-squares line through the step medians of the ${slope.points} checkpoints from ${s.warmupRequests.toLocaleString('en-US')} to ${last.toLocaleString('en-US')} requests: ${slope.perMillionMiB.toFixed(1)} MiB per million requests (R² ${slope.r2.toFixed(2)}), as a share of the fitted RSS where warm-up ends. For reference, the endpoint ratio ${apiPoints[1]?.requests.toLocaleString('en-US')} → ${last.toLocaleString('en-US')} is ${endpointGrowth === null ? 'n/a' : `${(endpointGrowth * 100).toFixed(1)} %`} (it depends on when RSS levels off).`
          : `Fewer than 3 checkpoints after ${s.warmupRequests.toLocaleString('en-US')} requests: no slope.`,
      ],
      figures: slope
        ? [
            {
              name: 'RSS growth per 1M requests after warm-up',
              value: slope.perMillionMiB,
              unit: 'MiB',
              better: 'lower',
            },
          ]
        : [],
      charts: [
        {
          kind: 'lines',
          title: 'Scenario 6: api RSS under sustained cached reads, with the fitted slope after warm-up',
          xLabel: 'requests',
          yLabel: 'RSS MiB',
          series: [
            { label: 'api RSS (median in step)', points: apiPoints.map((p) => [p.requests, p.rssMiB]) },
            ...(slope
              ? [
                  {
                    label: 'fitted after warm-up',
                    points: [s.warmupRequests, last].map((x): [number, number] => [
                      x,
                      slope.fit.intercept + slope.fit.slope * x,
                    ]),
                  },
                ]
              : []),
            { label: 'bare node:http RSS', points: barePoints.map((p) => [p.requests, p.rssMiB]) },
            { label: 'api RSS (max in step)', points: apiPoints.map((p) => [p.requests, p.maxMiB]), dashed: true },
          ],
        },
      ],
      data: { api: apiPoints, bare: barePoints, warmupRequests: s.warmupRequests, slope },
    };
  } finally {
    await stopAll([api.proc, bare?.proc]);
  }
}
