import { setTimeout as sleep } from 'node:timers/promises';
import { startBareServer } from '../bare.js';
import { type BenchContext, startBenchApi } from '../context.js';
import { getOk, REST_MISSING_NOTE, restAvailable, restPostPath, trpcQueryPath } from '../inkwell.js';
import { cannon } from '../load.js';
import type { MeasuredProcess } from '../processes.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';

export interface RssPoint {
  requests: number;
  rssMiB: number;
  rps: number;
}

/** Sends requests up to each checkpoint (cumulative) and reads VmRSS after a short settle. */
async function rssCurve(
  proc: MeasuredProcess,
  baseUrl: string,
  paths: string[],
  checkpoints: number[],
  connections: number,
): Promise<RssPoint[]> {
  await sleep(1_000);
  const points: RssPoint[] = [{ requests: 0, rssMiB: proc.rssMiB(), rps: 0 }];
  let sent = 0;
  for (const checkpoint of checkpoints) {
    const result = await cannon({ url: baseUrl, connections, amount: checkpoint - sent, paths });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${proc.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    sent = checkpoint;
    await sleep(500);
    points.push({ requests: checkpoint, rssMiB: proc.rssMiB(), rps: result.rps });
  }
  return points;
}

function growth(points: RssPoint[], from: number, to: number): number | null {
  const a = points.find((p) => p.requests === from);
  const b = points.find((p) => p.requests === to);
  return a && b ? (b.rssMiB - a.rssMiB) / a.rssMiB : null;
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
    const apiPoints = await rssCurve(api.proc, api.url, paths, s.checkpoints, s.connections);
    await stopAll([api.proc]);

    bare = await startBareServer(ctx.runtime, Buffer.from(sample), 'application/json');
    const barePoints = await rssCurve(bare.proc, bare.url, paths, s.bareCheckpoints, s.connections);

    const first = s.checkpoints[0] ?? 0;
    const last = s.checkpoints.at(-1) ?? 0;
    const apiGrowth = growth(apiPoints, first, last);
    const reachedMillion = last >= 1_000_000;
    const rows = apiPoints.map((p) => {
      const barePoint = barePoints.find((b) => b.requests === p.requests);
      return [p.requests.toLocaleString('en-US'), p.rssMiB, p.rps || '', barePoint ? barePoint.rssMiB : ''];
    });
    return {
      id: 6,
      title: 'Memory: api RSS under sustained cached reads',
      setup: `${ctx.runtime.label}; autocannon, ${s.connections} connections, cumulative requests cycling over ${paths.length} cached paths (posts.byId over ${withRest ? 'tRPC and REST' : 'tRPC'} for 100 posts, first page of posts.list); VmRSS from /proc/<pid>/status 0.5 s after each step; bare node:http baseline to ${(s.bareCheckpoints.at(-1) ?? 0).toLocaleString('en-US')} requests.`,
      columns: ['requests', 'api RSS MiB', 'api req/s in step', 'bare RSS MiB'],
      rows,
      targets:
        apiGrowth === null
          ? []
          : [
              {
                name: `RSS growth ${first.toLocaleString('en-US')} → ${last.toLocaleString('en-US')} requests`,
                goal: reachedMillion ? '< 10%' : '< 10% (to 1M; this run stopped earlier)',
                value: `${(apiGrowth * 100).toFixed(1)}%`,
                met: apiGrowth < 0.1 && reachedMillion,
              },
            ],
      notes: withRest ? [] : [REST_MISSING_NOTE],
      data: { api: apiPoints, bare: barePoints },
    };
  } finally {
    await stopAll([api.proc, bare?.proc]);
  }
}
