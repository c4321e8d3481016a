import { type BenchContext, startBenchApi } from '../context.js';
import {
  type ApiInstance,
  login,
  parseRestPost,
  parseTrpcPost,
  REST_MISSING_NOTE,
  restAvailable,
  restPostPath,
  trpcQueryPath,
  updatePostTitle,
} from '../inkwell.js';
import { httpGet } from '../load.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';
import { BENCH_PASSWORD, benchTitle, type SeededData } from '../seed.js';
import { summarize } from '../stats.js';

const TITLE_VERSION = / v(\d+)$/;

export interface MixedFigures {
  label: string;
  operations: number;
  reads: number;
  writes: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  readP99Ms: number;
  writeP99Ms: number;
  staleReads: number;
  failures: number;
  /** Keys checked again on every instance after the run (must all show the last acknowledged title). */
  finalChecks: number;
  finalStale: number;
}

/**
 * Shared state of the staleness checker: versions are per key and only grow, and a key has at
 * most one write in flight, so "acknowledged version" is well defined.
 */
export class FreshnessLedger {
  private readonly acknowledged = new Map<string, number>();
  private readonly next = new Map<string, number>();
  private readonly writing = new Set<string>();

  /** Claims `id` for a write; returns the version to write, or null when a write is in flight. */
  claim(id: string): number | null {
    if (this.writing.has(id)) return null;
    this.writing.add(id);
    const version = (this.next.get(id) ?? 0) + 1;
    this.next.set(id, version);
    return version;
  }

  release(id: string, version: number, acknowledged: boolean): void {
    this.writing.delete(id);
    if (acknowledged) this.acknowledged.set(id, Math.max(version, this.acknowledged.get(id) ?? 0));
  }

  acknowledgedVersion(id: string): number {
    return this.acknowledged.get(id) ?? 0;
  }

  writtenKeys(): string[] {
    return [...this.acknowledged.keys()];
  }
}

export interface MixedOptions {
  label: string;
  /** Reads and writes are spread over these instances (round robin per operation). */
  instances: string[];
  connections: number;
  durationS: number;
  keys: number;
  writeShare: number;
  seeded: SeededData;
  tokens: Map<string, string>;
  ledger: FreshnessLedger;
  /** Read over REST (every other read) as well as tRPC. */
  withRest: boolean;
}

function versionOf(title: string): number {
  const match = TITLE_VERSION.exec(title);
  if (!match?.[1]) throw new Error(`unexpected title ${JSON.stringify(title)}`);
  return Number(match[1]);
}

/** Reads `id` anonymously over tRPC or REST and returns the title version it shows. */
async function readVersion(baseUrl: string, id: string, overRest: boolean): Promise<number> {
  const answer = await httpGet(`${baseUrl}${overRest ? restPostPath(id) : trpcQueryPath('posts.byId', { id })}`);
  if (answer.status !== 200) throw new Error(`read ${id}: HTTP ${answer.status}`);
  return versionOf((overRest ? parseRestPost(answer.body) : parseTrpcPost(answer.body)).title);
}

/**
 * Scenario 3's workload: `connections` loops; each operation is a write (posts.update of the
 * title, by the author) with probability `writeShare`, else an anonymous posts.byId read over
 * tRPC or REST. A read that starts after a write was acknowledged must show at least that write's
 * version, whichever instance serves it; every shortfall is a stale read.
 */
export async function runMixed(options: MixedOptions): Promise<MixedFigures> {
  const posts = options.seeded.posts.slice(0, options.keys);
  const readLatencies: number[] = [];
  const writeLatencies: number[] = [];
  let staleReads = 0;
  let failures = 0;
  let operation = 0;
  const started = performance.now();
  const endAt = started + options.durationS * 1000;

  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < endAt) {
        const post = posts[Math.floor(Math.random() * posts.length)];
        if (!post) continue;
        const instance = options.instances[operation++ % options.instances.length] ?? '';
        const version = Math.random() < options.writeShare ? options.ledger.claim(post.id) : null;
        const t0 = performance.now();
        if (version !== null) {
          const author = options.seeded.authors[post.authorIndex];
          const token = author ? options.tokens.get(author.email) : undefined;
          let acknowledged = false;
          try {
            if (!token) throw new Error(`no token for author ${post.authorIndex}`);
            const answer = await updatePostTitle(instance, token, post.id, benchTitle(post.index, version));
            acknowledged = answer.status === 200;
            if (!acknowledged) failures++;
          } catch {
            failures++;
          } finally {
            options.ledger.release(post.id, version, acknowledged);
          }
          writeLatencies.push(performance.now() - t0);
        } else {
          const mustSee = options.ledger.acknowledgedVersion(post.id);
          try {
            const seen = await readVersion(instance, post.id, options.withRest && operation % 2 === 0);
            if (seen < mustSee) staleReads++;
          } catch {
            failures++;
          }
          readLatencies.push(performance.now() - t0);
        }
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;

  // After the run: every written key, on every instance, over both paths, shows the last write.
  let finalChecks = 0;
  let finalStale = 0;
  for (const id of options.ledger.writtenKeys()) {
    for (const instance of options.instances) {
      for (const overRest of options.withRest ? [false, true] : [false]) {
        finalChecks++;
        if ((await readVersion(instance, id, overRest)) < options.ledger.acknowledgedVersion(id)) finalStale++;
      }
    }
  }

  const all = summarize([...readLatencies, ...writeLatencies]);
  return {
    label: options.label,
    operations: all.count,
    reads: readLatencies.length,
    writes: writeLatencies.length,
    opsPerSecond: all.count / elapsedS,
    p50Ms: all.p50Ms,
    p99Ms: all.p99Ms,
    readP99Ms: summarize(readLatencies).p99Ms,
    writeP99Ms: summarize(writeLatencies).p99Ms,
    staleReads,
    failures,
    finalChecks,
    finalStale,
  };
}

/** One access token per author, for the writes. */
export async function authorTokens(baseUrl: string, seeded: SeededData): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const author of seeded.authors) tokens.set(author.email, await login(baseUrl, author.email, BENCH_PASSWORD));
  return tokens;
}

export function mixedRow(f: MixedFigures): Array<string | number> {
  return [
    f.label,
    f.opsPerSecond,
    f.p50Ms,
    f.p99Ms,
    f.readP99Ms,
    f.writeP99Ms,
    f.writes,
    f.staleReads + f.finalStale,
    f.failures,
  ];
}

export const MIXED_COLUMNS = [
  'api',
  'ops/s',
  'p50 ms',
  'p99 ms',
  'read p99 ms',
  'write p99 ms',
  'writes',
  'stale reads',
  'failed ops',
];

export async function mixedScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.mixed;
  let cached: ApiInstance | undefined;
  let cold: ApiInstance | undefined;
  try {
    cached = await startBenchApi(ctx, { name: 'api cached', cacheEnabled: true });
    cold = await startBenchApi(ctx, { name: 'api cache off', cacheEnabled: false });
    const tokens = await authorTokens(cached.url, ctx.seeded);
    const ledger = new FreshnessLedger();
    const firstPost = ctx.seeded.posts[0];
    const withRest = firstPost ? await restAvailable(cached.url, firstPost.id) : false;
    const common = {
      withRest,
      connections: s.connections,
      durationS: s.durationS,
      keys: s.keys,
      writeShare: 0.1,
      seeded: ctx.seeded,
      tokens,
      ledger,
    };
    const warm = await runMixed({ ...common, label: 'cached', instances: [cached.url] });
    const baseline = await runMixed({ ...common, label: 'cache off (baseline)', instances: [cold.url] });
    const stale = warm.staleReads + warm.finalStale;
    return {
      id: 3,
      title: 'Mixed workload: 90% reads / 10% writes that invalidate',
      setup: `${ctx.runtime.label}; ${s.connections} concurrent connections (undici), ${s.durationS} s each, ${s.keys} posts read anonymously by id (${withRest ? 'tRPC and REST alternately' : 'tRPC'}), writes are posts.update of the title by its author; the cache-off api runs the same workload as the baseline.`,
      columns: MIXED_COLUMNS,
      rows: [mixedRow(warm), mixedRow(baseline)],
      targets: [
        { name: 'stale reads (cached)', goal: '0', value: String(stale), met: stale === 0 },
        {
          name: 'p99 at 64 connections (cached)',
          goal: '< 50 ms',
          value: `${warm.p99Ms.toFixed(1)} ms`,
          met: warm.p99Ms < 50,
        },
      ],
      notes: [
        ...(withRest ? [] : [REST_MISSING_NOTE]),
        `cached / cache-off throughput: ${(warm.opsPerSecond / baseline.opsPerSecond).toFixed(2)}×; stale reads counted during the run and in a final check of every written key over ${withRest ? 'tRPC and REST' : 'tRPC'} (${warm.finalChecks} reads).`,
      ],
      data: { cached: warm, baseline },
    };
  } finally {
    await stopAll([cached?.proc, cold?.proc]);
  }
}
