import { startBareServer } from '../bare.js';
import { type BenchContext, startBenchApi } from '../context.js';
import { getOk, login, REST_MISSING_NOTE, restAvailable, restPostPath, trpcQueryPath } from '../inkwell.js';
import { cannon, type LoadResult } from '../load.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';
import type { Runtime } from '../runtimes.js';
import { BENCH_PASSWORD } from '../seed.js';
import { median } from '../stats.js';

export interface PhysicalLimitFigures {
  withRest: boolean;
  runtime: string;
  targets: Array<{ name: string; rps: number; p50Ms: number; p99Ms: number; ratio: number; runs: LoadResult[] }>;
  bodyBytes: number;
}

interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

/**
 * Runs each target for `durationS`, `rounds` times, interleaved (bare, tRPC, REST, …, bare, …)
 * so drift on a shared machine hits every target alike; reports medians over the rounds.
 */
export async function runInterleaved(
  targets: Target[],
  options: { connections: number; durationS: number; rounds: number },
) {
  const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (const target of targets) {
    await cannon({ url: target.url, connections: options.connections, duration: 1, ...withHeaders(target) });
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const target of targets) {
      const result = await cannon({
        url: target.url,
        connections: options.connections,
        duration: options.durationS,
        ...withHeaders(target),
      });
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${target.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
      }
      runs.get(target.name)?.push(result);
    }
  }
  return targets.map((target) => {
    const list = runs.get(target.name) ?? [];
    return {
      name: target.name,
      rps: median(list.map((r) => r.rps)),
      p50Ms: median(list.map((r) => r.p50Ms)),
      p99Ms: median(list.map((r) => r.p99Ms)),
      runs: list,
    };
  });
}

function withHeaders(target: Target): { headers?: Record<string, string> } {
  return target.headers ? { headers: target.headers } : {};
}

/** Scenario 1 on one runtime: bare node:http vs cached posts.byId over tRPC and REST. */
export async function measurePhysicalLimit(
  ctx: BenchContext,
  runtime: Runtime,
  options: { connections: number; durationS: number; rounds: number; authenticated: boolean },
): Promise<PhysicalLimitFigures> {
  const post = ctx.seeded.posts[0];
  const author = post ? ctx.seeded.authors[post.authorIndex] : undefined;
  if (!post || !author) throw new Error('no seeded post');
  const api = await startBenchApi(ctx, {
    name: `api (${runtime.label})`,
    cacheEnabled: true,
    runtime,
  });
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    const trpcUrl = `${api.url}${trpcQueryPath('posts.byId', { id: post.id })}`;
    const restUrl = `${api.url}${restPostPath(post.id)}`;
    // Fill the cache, and take the exact bytes the bare server will answer with.
    const body = await getOk(trpcUrl);
    const withRest = await restAvailable(api.url, post.id);
    bare = await startBareServer(runtime, Buffer.from(body), 'application/json');

    const targets: Target[] = [
      { name: 'bare node:http', url: `${bare.url}/` },
      { name: 'tRPC posts.byId (anonymous, cached)', url: trpcUrl },
    ];
    if (withRest) targets.push({ name: 'REST GET /api/posts/{id} (anonymous, cached)', url: restUrl });
    if (options.authenticated) {
      const token = await login(api.url, author.email, BENCH_PASSWORD);
      const headers = { authorization: `Bearer ${token}` };
      targets.push({ name: 'tRPC posts.byId (signed in, cached)', url: trpcUrl, headers });
      if (withRest) targets.push({ name: 'REST GET /api/posts/{id} (signed in, cached)', url: restUrl, headers });
    }
    const measured = await runInterleaved(targets, options);
    const bareRps = measured[0]?.rps ?? Number.NaN;
    return {
      withRest,
      runtime: `${runtime.label} ${runtime.version}`,
      bodyBytes: Buffer.byteLength(body),
      targets: measured.map((m) => ({ ...m, ratio: m.rps / bareRps })),
    };
  } finally {
    await stopAll([api.proc, bare?.proc]);
  }
}

export async function physicalLimitScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.physical;
  const figures = await measurePhysicalLimit(ctx, ctx.runtime, { ...s, authenticated: true });
  const ratioOf = (prefix: string) => figures.targets.find((t) => t.name.startsWith(prefix))?.ratio ?? 0;
  const anonymous = [
    { name: 'tRPC anonymous cached / bare', ratio: ratioOf('tRPC posts.byId (anonymous') },
    ...(figures.withRest
      ? [{ name: 'REST anonymous cached / bare', ratio: ratioOf('REST GET /api/posts/{id} (anonymous') }]
      : []),
  ];
  return {
    id: 1,
    title: 'Physical limit: cached posts.byId vs bare node:http',
    setup: `${figures.runtime}; autocannon, ${s.connections} connections, ${s.durationS} s per run, ${s.rounds} interleaved rounds (median), one ${figures.bodyBytes}-byte post; api and bare server are separate processes.`,
    columns: ['target', 'req/s', 'p50 ms', 'p99 ms', '× bare'],
    rows: figures.targets.map((t) => [t.name, t.rps, t.p50Ms, t.p99Ms, t.ratio]),
    targets: [
      ...anonymous.map((a) => ({ name: a.name, goal: '≥ 0.50', value: a.ratio.toFixed(2), met: a.ratio >= 0.5 })),
      ...(figures.withRest
        ? []
        : [{ name: 'REST anonymous cached / bare', goal: '≥ 0.50', value: 'not measured', met: false }]),
    ],
    notes: figures.withRest ? [] : [REST_MISSING_NOTE],
    data: figures,
  };
}
