import { type BenchContext, startBenchApi } from '../context.js';
import { restPostPath, trpcQueryPath } from '../inkwell.js';
import { httpGet } from '../load.js';
import { stopAll } from '../processes.js';
import { type Figure, numericTarget, type ScenarioReport, type TargetCheck } from '../report.js';
import { runInterleaved, type Target } from './physical-limit.js';

/** The ETag of a 200 answer, or null (after checking the answer twice: the first read fills the cache). */
async function etagOf(url: string): Promise<string | null> {
  let etag: string | null = null;
  for (let i = 0; i < 2; i++) {
    const answer = await httpGet(url);
    if (answer.status !== 200) throw new Error(`GET ${url}: HTTP ${answer.status}`);
    const header = answer.headers.etag;
    etag = typeof header === 'string' ? header : null;
  }
  return etag;
}

/**
 * Scenario 9 (#17): a cached anonymous posts.byId answered 304 to `If-None-Match` next to the
 * 200 hit, req/s in the same run, over tRPC and REST. Until the api sends an ETag it reports
 * "not supported by this build" instead of a figure.
 */
export async function conditionalScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.conditional;
  const post = ctx.seeded.posts[0];
  if (!post) throw new Error('no seeded post');
  const title = 'Conditional reads: If-None-Match → 304 vs the 200 hit (cached posts.byId)';
  const setup = `${ctx.runtime.label}; autocannon, ${s.connections} connections, ${s.durationS} s per run, ${s.rounds} interleaved rounds (median); anonymous reads of one cached post, the 304 runs sending the ETag of its 200 answer.`;
  ctx.step('starting the api');
  const api = await startBenchApi(ctx, { name: 'api (conditional)', cacheEnabled: true });
  try {
    const paths = [
      { label: 'tRPC posts.byId', url: `${api.url}${trpcQueryPath('posts.byId', { id: post.id })}` },
      { label: 'REST GET /api/posts/{id}', url: `${api.url}${restPostPath(post.id)}` },
    ];
    const targets: Target[] = [];
    const unsupported: string[] = [];
    for (const path of paths) {
      const etag = await etagOf(path.url);
      if (!etag) {
        unsupported.push(path.label);
        continue;
      }
      const conditional = await httpGet(path.url, { 'if-none-match': etag });
      if (conditional.status !== 304) {
        throw new Error(`${path.label} sends ETag ${etag} but answers If-None-Match with HTTP ${conditional.status}`);
      }
      targets.push(
        { name: `${path.label}, 200 hit`, url: path.url },
        {
          name: `${path.label}, If-None-Match → 304`,
          url: path.url,
          headers: { 'if-none-match': etag },
          expectStatus: 304,
        },
      );
    }
    if (targets.length === 0) {
      return {
        id: 9,
        title,
        setup,
        columns: [],
        rows: [],
        targets: [],
        notes: [],
        data: null,
        skipped: `not supported by this build: ${unsupported.join(' and ')} answer without an ETag (conditional requests are #17's).`,
      };
    }
    const measured = await runInterleaved(targets, { ...s, step: ctx.step });
    const rows: Array<Array<string | number>> = [];
    const checks: TargetCheck[] = [];
    const figures: Figure[] = [];
    for (let i = 0; i < measured.length; i += 2) {
      const hit = measured[i];
      const notModified = measured[i + 1];
      if (!hit || !notModified) continue;
      const ratio = notModified.rps / hit.rps;
      rows.push(
        [hit.name, hit.rps, hit.p50Ms, hit.p99Ms, 1],
        [notModified.name, notModified.rps, notModified.p50Ms, notModified.p99Ms, ratio],
      );
      const label = hit.name.replace(/, 200 hit$/, '');
      checks.push(
        numericTarget(`${label}: 304 req/s / 200 hit req/s (a 304 costs less)`, ratio, 'min', 1, '×', (v) =>
          v.toFixed(2),
        ),
      );
      figures.push({ name: `${label} 304 / 200`, value: ratio, unit: '×', better: 'higher' });
    }
    return {
      id: 9,
      title,
      setup,
      columns: ['target', 'req/s', 'p50 ms', 'p99 ms', '× the 200 hit'],
      rows,
      targets: checks,
      notes: unsupported.length ? [`${unsupported.join(' and ')}: no ETag on this build, not measured.`] : [],
      figures,
      charts: [
        {
          kind: 'bars',
          title: 'Scenario 9: 304 req/s as a multiple of the 200 hit (same run)',
          unit: '× 200 hit',
          bars: measured.map((m, i) => ({
            label: m.name,
            value: m.rps / (measured[i - (i % 2)]?.rps ?? m.rps),
            ...(i % 2 === 1 ? { target: { threshold: 1, direction: 'min' as const } } : {}),
          })),
        },
      ],
      data: measured,
    };
  } finally {
    await stopAll([api.proc]);
  }
}
