import { isDeepStrictEqual } from 'node:util';
import { type BareServer, handwrittenPaths, startBareServer, startHandwrittenServer } from '../baselines.js';
import { type BenchContext, startBenchApi } from '../context.js';
import {
  bearer,
  getOk,
  login,
  REST_MISSING_NOTE,
  restAvailable,
  restPostPath,
  setLiked,
  trpcQueryPath,
} from '../inkwell.js';
import { cannon, type LoadResult } from '../load.js';
import { stopAll } from '../processes.js';
import { type Chart, type Figure, numericTarget, type ScenarioReport, type TargetCheck } from '../report.js';
import type { Runtime } from '../runtimes.js';
import { BENCH_PASSWORD } from '../seed.js';
import { median } from '../stats.js';

/** Names of the rows; the targets and --compare find rows by them. */
export const TARGETS = {
  bare: 'bare node:http',
  handAnonymous: 'hand-written, anonymous cached',
  handJose: 'hand-written, signed in (jose + session SQL + likedByMe SQL)',
  handHmac: 'hand-written, signed in (HMAC; session and likes in Redis, one pipelined round trip)',
  trpcAnonymous: 'tRPC posts.byId (anonymous, cached)',
  restAnonymous: 'REST GET /api/posts/{id} (anonymous, cached)',
  trpcSignedIn: 'tRPC posts.byId (signed in, cached)',
  restSignedIn: 'REST GET /api/posts/{id} (signed in, cached)',
} as const;

export interface MeasuredTarget {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ratio: number;
  runs: LoadResult[];
}

export interface PhysicalLimitFigures {
  withRest: boolean;
  runtime: string;
  targets: MeasuredTarget[];
  bodyBytes: number;
}

export interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** The status every answer must have (default: any 2xx). */
  expectStatus?: number;
}

/**
 * Runs each target for `durationS`, `rounds` times, interleaved (bare, tRPC, REST, …, bare, …)
 * so drift on a shared machine hits every target alike; reports medians over the rounds.
 */
export async function runInterleaved(
  targets: Target[],
  options: { connections: number; durationS: number; rounds: number; step?: (message: string) => void },
) {
  const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  options.step?.(`warming up ${targets.length} targets`);
  for (const target of targets) {
    await cannon({ url: target.url, connections: options.connections, duration: 1, ...withHeaders(target) });
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const target of targets) {
      options.step?.(`round ${round + 1}/${options.rounds}: ${target.name}, ${options.durationS} s`);
      const result = await cannon({
        url: target.url,
        connections: options.connections,
        duration: options.durationS,
        ...withHeaders(target),
      });
      if (result.unexpected > 0 || result.errors > 0) {
        throw new Error(
          `${target.name}: ${result.unexpected} answers with an unexpected status and ${result.errors} errors under load`,
        );
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

function withHeaders(target: Target): { headers?: Record<string, string>; expectStatus?: number } {
  return {
    ...(target.headers ? { headers: target.headers } : {}),
    ...(target.expectStatus === undefined ? {} : { expectStatus: target.expectStatus }),
  };
}

/** Every target must answer the same post, field for field, before any of them is timed. */
async function assertSameAnswers(expected: string, targets: Target[], parse: (body: string) => unknown) {
  const reference = parse(expected);
  for (const target of targets) {
    const answer = parse(await getOk(target.url, target.headers));
    if (!isDeepStrictEqual(answer, reference)) {
      throw new Error(`${target.name} answers another body than Inkwell:\n${JSON.stringify(answer).slice(0, 400)}`);
    }
  }
}

const trpcData = (body: string): unknown => (JSON.parse(body) as { result?: { data?: unknown } }).result?.data;
const restData = (body: string): unknown => JSON.parse(body);

/**
 * Scenario 1 on one runtime: bare node:http vs cached posts.byId over tRPC and REST, and (with
 * `handwritten`) the hand-written service's variants. Signed-in reads are by a reader who likes
 * the post, so `likedByMe` is true and must be resolved per viewer.
 */
export async function measurePhysicalLimit(
  ctx: BenchContext,
  runtime: Runtime,
  options: { connections: number; durationS: number; rounds: number; authenticated: boolean; handwritten: boolean },
): Promise<PhysicalLimitFigures> {
  const post = ctx.seeded.posts[0];
  const reader = post ? ctx.seeded.authors[(post.authorIndex + 1) % ctx.seeded.authors.length] : undefined;
  if (!post || !reader) throw new Error('no seeded post');
  ctx.step(`starting the api (${runtime.label})`);
  const api = await startBenchApi(ctx, { name: `api (${runtime.label})`, cacheEnabled: true, runtime });
  let bare: BareServer | undefined;
  let handwritten: BareServer | undefined;
  try {
    const trpcUrl = `${api.url}${trpcQueryPath('posts.byId', { id: post.id })}`;
    const restUrl = `${api.url}${restPostPath(post.id)}`;
    const token =
      options.authenticated || options.handwritten ? await login(api.url, reader.email, BENCH_PASSWORD) : '';
    if (token && !(await setLiked(api.url, token, post.id, true)))
      throw new Error('the reader could not like the post');
    // Fill the cache, and take the exact bytes the bare server will answer with.
    const body = await getOk(trpcUrl);
    const withRest = await restAvailable(api.url, post.id);
    bare = await startBareServer(runtime, Buffer.from(body), 'application/json');

    const targets: Target[] = [{ name: TARGETS.bare, url: `${bare.url}/` }];
    const signedIn = bearer(token);
    if (options.handwritten) {
      ctx.step('starting the hand-written service');
      handwritten = await startHandwrittenServer({
        runtime,
        databaseUrl: ctx.db.url,
        redisUrl: ctx.redisUrl,
        redisPrefix: ctx.redisPrefix,
        jwtSecret: ctx.extraEnv.JWT_SECRET ?? '',
      });
      const anonymous = {
        name: TARGETS.handAnonymous,
        url: `${handwritten.url}${handwrittenPaths.anonymous(post.id)}`,
      };
      const signed = [
        { name: TARGETS.handJose, url: `${handwritten.url}${handwrittenPaths.jose(post.id)}`, headers: signedIn },
        { name: TARGETS.handHmac, url: `${handwritten.url}${handwrittenPaths.hmac(post.id)}`, headers: signedIn },
      ];
      await assertSameAnswers(body, [anonymous], trpcData);
      await assertSameAnswers(await getOk(trpcUrl, signedIn), signed, trpcData);
      targets.push(anonymous, ...signed);
    }
    targets.push({ name: TARGETS.trpcAnonymous, url: trpcUrl });
    if (withRest) targets.push({ name: TARGETS.restAnonymous, url: restUrl });
    if (options.authenticated) {
      targets.push({ name: TARGETS.trpcSignedIn, url: trpcUrl, headers: signedIn });
      if (withRest) {
        const rest = { name: TARGETS.restSignedIn, url: restUrl, headers: signedIn };
        await assertSameAnswers(await getOk(trpcUrl, signedIn), [rest], (b) =>
          b.startsWith('{"result"') ? trpcData(b) : restData(b),
        );
        targets.push(rest);
      }
    }
    const measured = await runInterleaved(targets, { ...options, step: ctx.step });
    const bareRps = measured[0]?.rps ?? Number.NaN;
    return {
      withRest,
      runtime: `${runtime.label} ${runtime.version}`,
      bodyBytes: Buffer.byteLength(body),
      targets: measured.map((m) => ({ ...m, ratio: m.rps / bareRps })),
    };
  } finally {
    await stopAll([api.proc, bare?.proc, handwritten?.proc]);
  }
}

const ANONYMOUS_GOAL = 0.5;
const SIGNED_IN_GOAL = 0.25;

/** #16's targets: Inkwell against bare node:http and ahead of the hand-written service. */
function physicalTargets(figures: PhysicalLimitFigures): TargetCheck[] {
  const of = (name: string) => figures.targets.find((t) => t.name === name);
  const checks: TargetCheck[] = [];
  const ratio = (value: number) => value.toFixed(2);
  const pairs: Array<[string, string, number, string]> = [
    ['tRPC anonymous cached', TARGETS.trpcAnonymous, ANONYMOUS_GOAL, TARGETS.handAnonymous],
    ['REST anonymous cached', TARGETS.restAnonymous, ANONYMOUS_GOAL, TARGETS.handAnonymous],
    ['tRPC signed-in cached', TARGETS.trpcSignedIn, SIGNED_IN_GOAL, TARGETS.handHmac],
    ['REST signed-in cached', TARGETS.restSignedIn, SIGNED_IN_GOAL, TARGETS.handHmac],
  ];
  for (const [label, name, goal, handwritten] of pairs) {
    const target = of(name);
    const baseline = of(handwritten);
    checks.push(numericTarget(`${label} / bare`, target?.ratio ?? Number.NaN, 'min', goal, '×', ratio));
    checks.push(
      numericTarget(
        `${label} / ${handwritten === TARGETS.handHmac ? 'fastest hand-written signed-in (HMAC + Redis)' : 'hand-written anonymous'}`,
        target && baseline ? target.rps / baseline.rps : Number.NaN,
        'min',
        1,
        '×',
        ratio,
      ),
    );
  }
  return checks;
}

export async function physicalLimitScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.physical;
  const figures = await measurePhysicalLimit(ctx, ctx.runtime, { ...s, authenticated: true, handwritten: true });
  const inkwellNames: string[] = [
    TARGETS.trpcAnonymous,
    TARGETS.restAnonymous,
    TARGETS.trpcSignedIn,
    TARGETS.restSignedIn,
  ];
  const goalOf = (name: string) => (name.includes('signed in') ? SIGNED_IN_GOAL : ANONYMOUS_GOAL);
  const figuresForCompare: Figure[] = figures.targets
    .filter((t) => inkwellNames.includes(t.name))
    .map((t) => ({ name: `${t.name} × bare`, value: t.ratio, unit: '×', better: 'higher' }));
  const chart: Chart = {
    kind: 'bars',
    title: 'Scenario 1: req/s as a multiple of bare node:http (same run)',
    unit: '× bare',
    bars: figures.targets.map((t) => ({
      label: t.name,
      value: t.ratio,
      ...(inkwellNames.includes(t.name) ? { target: { threshold: goalOf(t.name), direction: 'min' as const } } : {}),
    })),
  };
  return {
    id: 1,
    title: 'Physical limit: cached posts.byId vs bare node:http and a hand-written service',
    setup: `${figures.runtime}; autocannon, ${s.connections} connections, ${s.durationS} s per run, ${s.rounds} interleaved rounds (median), one ${figures.bodyBytes}-byte post that the signed-in reader likes; api, bare server and hand-written service (bench/src/handwritten/server.ts: node:http + pg + ioredis + jose on the same database, Redis and JWT secret) are separate processes, and every target's answer is checked equal to Inkwell's before it is timed.`,
    columns: ['target', 'req/s', 'p50 ms', 'p99 ms', '× bare'],
    rows: figures.targets.map((t) => [t.name, t.rps, t.p50Ms, t.p99Ms, t.ratio]),
    targets: physicalTargets(figures),
    notes: [
      ...(figures.withRest ? [] : [REST_MISSING_NOTE]),
      'The hand-written service is a read path only: it never invalidates (nothing writes while it is timed), so it is the floor of what these libraries cost, not a correct cache.',
    ],
    figures: figuresForCompare,
    charts: [chart],
    data: figures,
  };
}
