import { type BenchContext, startBenchApi } from '../context.js';
import { FreshnessLedger, type Observation, type PostSnapshot, titleVersion } from '../freshness.js';
import {
  type ApiInstance,
  bearer,
  login,
  parseRestPost,
  parseTrpcPost,
  REST_MISSING_NOTE,
  restAvailable,
  restPostPath,
  setLiked,
  trpcQueryPath,
  updatePostTitle,
} from '../inkwell.js';
import { httpGet } from '../load.js';
import { stopAll } from '../processes.js';
import { numericTarget, type ScenarioReport } from '../report.js';
import { BENCH_PASSWORD, benchTitle, type SeededData } from '../seed.js';
import { type LatencySummary, summarize } from '../stats.js';

export interface MixedFigures {
  label: string;
  operations: number;
  reads: number;
  /** Reads by signed-in readers (checked for likedByMe too). */
  signedInReads: number;
  writes: number;
  /** Of the writes: like toggles by signed-in readers (the others are title edits). */
  likes: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  readP99Ms: number;
  writeP99Ms: number;
  readLatency: LatencySummary;
  writeLatency: LatencySummary;
  staleReads: number;
  /** Reads whose window held a write that got no answer (not checkable). */
  unknownReads: number;
  failures: number;
  /** Reads again after the run, on every instance, path and toggling reader (must all be exact). */
  finalChecks: number;
  finalStale: number;
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
  /** An access token per author email: authors edit their posts, and read and like as readers. */
  tokens: Map<string, string>;
  ledger: FreshnessLedger;
  /** Read over REST (every other read) as well as tRPC. */
  withRest: boolean;
}

/** Reads `id` over tRPC or REST, anonymously or with `token`: what the staleness check compares. */
async function readPost(baseUrl: string, id: string, overRest: boolean, token: string | null) {
  const path = overRest ? restPostPath(id) : trpcQueryPath('posts.byId', { id });
  const answer = await httpGet(`${baseUrl}${path}`, token ? bearer(token) : {});
  if (answer.status !== 200) throw new Error(`read ${id}: HTTP ${answer.status}`);
  const post = overRest ? parseRestPost(answer.body) : parseTrpcPost(answer.body);
  return { version: titleVersion(post.title), likeCount: post.likeCount, likedByMe: post.likedByMe };
}

/**
 * Scenario 3's workload: `connections` loops, every other one signed in as a reader (a seeded
 * user). Each operation is a write with probability `writeShare` — an anonymous loop's write is
 * posts.update of the title by the post's author, a signed-in loop's write is its reader liking
 * or unliking the post — else a read of posts.byId over tRPC or REST, as the loop's identity.
 * Every read is checked against the ledger after the run (title version, likeCount and, for
 * signed-in readers, likedByMe), whichever instance served it.
 */
export async function runMixed(options: MixedOptions): Promise<MixedFigures> {
  const posts = options.seeded.posts.slice(0, options.keys);
  const { ledger, seeded } = options;
  const readLatencies: number[] = [];
  const writeLatencies: number[] = [];
  const observations: Observation[] = [];
  let failures = 0;
  let likes = 0;
  let signedInReads = 0;
  let operation = 0;
  const started = performance.now();
  const endAt = started + options.durationS * 1000;
  const tokenOf = (email: string | undefined) => (email ? (options.tokens.get(email) ?? null) : null);

  await Promise.all(
    Array.from({ length: options.connections }, async (_, loop) => {
      const reader = loop % 2 === 1 ? seeded.authors[(loop >> 1) % seeded.authors.length] : undefined;
      const readerToken = tokenOf(reader?.email);
      while (performance.now() < endAt) {
        const post = posts[Math.floor(Math.random() * posts.length)];
        if (!post) continue;
        const instance = options.instances[operation++ % options.instances.length] ?? '';
        const overRest = options.withRest && operation % 2 === 0;
        const claim = Math.random() < options.writeShare ? ledger.claim(post.id) : null;
        const t0 = performance.now();
        if (claim) {
          let after: PostSnapshot | null = null;
          try {
            if (reader && readerToken) {
              likes++;
              const like = !claim.before.likers.includes(reader.id);
              const state = await setLiked(instance, readerToken, post.id, like);
              if (state && state.likedByMe === like) {
                const others = claim.before.likers.filter((id) => id !== reader.id);
                after = { ...claim.before, likeCount: state.likeCount, likers: like ? [...others, reader.id] : others };
              }
            } else {
              const version = claim.before.version + 1;
              const token = tokenOf(seeded.authors[post.authorIndex]?.email);
              if (!token) throw new Error(`no token for author ${post.authorIndex}`);
              const answer = await updatePostTitle(instance, token, post.id, benchTitle(post.index, version));
              if (answer.status === 200) {
                const updated = parseTrpcPost(answer.body);
                if (titleVersion(updated.title) === version)
                  after = { ...claim.before, version, likeCount: updated.likeCount };
              }
            }
          } catch {
            // counted below: the write's outcome is unknown
          } finally {
            if (!after) failures++;
            ledger.release(post.id, claim.seq, after);
          }
          writeLatencies.push(performance.now() - t0);
        } else {
          const from = ledger.acknowledged(post.id);
          try {
            const seen = await readPost(instance, post.id, overRest, readerToken);
            observations.push({ postId: post.id, reader: reader?.id ?? null, from, to: ledger.claimed(post.id), seen });
            if (reader) signedInReads++;
          } catch {
            failures++;
          }
          readLatencies.push(performance.now() - t0);
        }
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const verdicts = observations.map((o) => ledger.verify(o));

  // After the run: every written post, on every instance, over both paths, anonymously and as
  // every reader who toggled its like, shows exactly its last acknowledged state.
  let finalChecks = 0;
  let finalStale = 0;
  for (const id of ledger.writtenKeys()) {
    const at = ledger.acknowledged(id);
    const readers = [null, ...ledger.togglers(id)];
    for (const instance of options.instances) {
      for (const overRest of options.withRest ? [false, true] : [false]) {
        for (const readerId of readers) {
          const email = seeded.authors.find((a) => a.id === readerId)?.email;
          const seen = await readPost(instance, id, overRest, tokenOf(email));
          finalChecks++;
          if (ledger.verify({ postId: id, reader: readerId, from: at, to: at, seen }) !== 'fresh') finalStale++;
        }
      }
    }
  }

  const all = summarize([...readLatencies, ...writeLatencies]);
  const readLatency = summarize(readLatencies);
  const writeLatency = summarize(writeLatencies);
  return {
    label: options.label,
    operations: all.count,
    reads: readLatencies.length,
    signedInReads,
    writes: writeLatencies.length,
    likes,
    opsPerSecond: all.count / elapsedS,
    p50Ms: all.p50Ms,
    p99Ms: all.p99Ms,
    readP99Ms: readLatency.p99Ms,
    writeP99Ms: writeLatency.p99Ms,
    readLatency,
    writeLatency,
    staleReads: verdicts.filter((v) => v === 'stale').length,
    unknownReads: verdicts.filter((v) => v === 'unknown').length,
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
    `${f.reads} (${f.signedInReads} signed in)`,
    `${f.writes} (${f.likes} likes)`,
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
  'reads',
  'writes',
  'stale reads',
  'failed ops',
];

export async function mixedScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.mixed;
  let cached: ApiInstance | undefined;
  let cold: ApiInstance | undefined;
  try {
    ctx.step('starting a cached and a cache-off api');
    cached = await startBenchApi(ctx, { name: 'api cached', cacheEnabled: true });
    cold = await startBenchApi(ctx, { name: 'api cache off', cacheEnabled: false });
    const tokens = await authorTokens(cached.url, ctx.seeded);
    const keys = ctx.seeded.posts.slice(0, s.keys).map((p) => p.id);
    const ledger = await FreshnessLedger.load(ctx.db.url, keys);
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
    ctx.step(`cached api, ${s.durationS} s`);
    const warm = await runMixed({ ...common, label: 'cached', instances: [cached.url] });
    ctx.step(`cache-off api, ${s.durationS} s`);
    const baseline = await runMixed({ ...common, label: 'cache off (baseline)', instances: [cold.url] });
    const stale = warm.staleReads + warm.finalStale;
    const throughput = warm.opsPerSecond / baseline.opsPerSecond;
    const p99Ratio = warm.p99Ms / baseline.p99Ms;
    return {
      id: 3,
      title: 'Mixed workload: 90% reads / 10% writes that invalidate',
      setup: `${ctx.runtime.label}; ${s.connections} concurrent connections (undici), ${s.durationS} s each, ${s.keys} posts read by id (${withRest ? 'tRPC and REST alternately' : 'tRPC'}); half the connections read anonymously and edit titles (posts.update by the post's author), half read signed in and like or unlike (posts.like/unlike); the cache-off api runs the same workload as the baseline.`,
      columns: MIXED_COLUMNS,
      rows: [mixedRow(warm), mixedRow(baseline)],
      targets: [
        numericTarget('cached / cache-off throughput', throughput, 'min', 3, '×', (v) => v.toFixed(2)),
        numericTarget('cached p99 / cache-off p99', p99Ratio, 'max', 0.3, '×', (v) => v.toFixed(2)),
        {
          name: 'stale reads (cached; anonymous and signed-in, likedByMe included)',
          goal: '0',
          value: String(stale),
          met: stale === 0,
        },
      ],
      notes: [
        ...(withRest ? [] : [REST_MISSING_NOTE]),
        `A read is stale unless it shows exactly (title version, likeCount and, signed in, likedByMe) the post's state after a write acknowledged before it started or claimed before it ended (one write per post in flight); ${warm.unknownReads + baseline.unknownReads} reads could not be checked (a write in their window failed). After each run every written post was read again on ${withRest ? 'tRPC and REST' : 'tRPC'}, anonymously and as each reader who toggled its like (${warm.finalChecks} + ${baseline.finalChecks} reads, ${warm.finalStale + baseline.finalStale} stale). Cache-off stale reads: ${baseline.staleReads + baseline.finalStale}.`,
      ],
      figures: [
        { name: 'cached / cache-off throughput', value: throughput, unit: '×', better: 'higher' },
        { name: 'cached ops/s', value: warm.opsPerSecond, unit: 'ops/s', better: 'higher' },
        { name: 'cache-off ops/s', value: baseline.opsPerSecond, unit: 'ops/s', better: 'higher' },
        { name: 'cached p99', value: warm.p99Ms, unit: 'ms', better: 'lower' },
        { name: 'cache-off p99', value: baseline.p99Ms, unit: 'ms', better: 'lower' },
      ],
      charts: [
        {
          kind: 'percentiles',
          title: 'Scenario 3: latency by percentile, cached vs cache-off (64 connections, 90/10)',
          series: [
            { label: 'cached, reads', points: warm.readLatency.distribution },
            { label: 'cache off, reads', points: baseline.readLatency.distribution },
            { label: 'cached, writes', points: warm.writeLatency.distribution, dashed: true },
            { label: 'cache off, writes', points: baseline.writeLatency.distribution, dashed: true },
          ],
        },
      ],
      data: { cached: warm, baseline },
    };
  } finally {
    await stopAll([cached?.proc, cold?.proc]);
  }
}
