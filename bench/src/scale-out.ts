import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@inkwell/db/testing';
import { z } from 'zod';
import { currentBuild } from './builds.js';
import { type BenchContext, openBench, startBenchApi, startBenchWorker } from './context.js';
import { FreshnessLedger } from './freshness.js';
import { type ApiInstance, apiEnv, restAvailable } from './inkwell.js';
import { findNginx, type LoadBalancer, startNginx } from './load-balancer.js';
import { insertWelcomeEvents } from './outbox.js';
import { paths } from './paths.js';
import { type MeasuredProcess, startProcess, stopAll, waitUntilReady } from './processes.js';
import { log } from './progress.js';
import { renderScenario, type ScenarioReport } from './report.js';
import { currentRuntime } from './runtimes.js';
import { authorTokens, MIXED_COLUMNS, type MixedFigures, mixedRow, runMixed } from './scenarios/mixed.js';
import { loadSettings } from './settings.js';
import { startSmtpSink } from './smtp-sink.js';

/**
 * Scale-out on one machine: N api processes and M workers against one PostgreSQL and one Redis,
 * behind nginx (or node's cluster module where nginx is missing). Runs the mixed workload of
 * scenario 3 through the balancer, then again addressing the instances in turn (a write on one,
 * the next read on another), checks every written key on every instance, and sends mails through
 * M workers checking each arrives exactly once. Stops everything it started.
 */
const scaleEnvSchema = z.object({
  SCALE_APIS: z.coerce.number().int().min(1).max(8).default(2),
  SCALE_WORKERS: z.coerce.number().int().min(1).max(8).default(2),
  SCALE_DURATION_S: z.coerce.number().int().min(1).max(120).default(10),
  SCALE_CONNECTIONS: z.coerce.number().int().min(1).max(512).default(64),
  /** 0 skips the mail check. */
  SCALE_MAILS: z.coerce.number().int().min(0).max(100_000).default(500),
  SCALE_BALANCER: z.enum(['auto', 'nginx', 'cluster']).default('auto'),
});

interface Balanced {
  kind: 'nginx' | 'cluster';
  url: string;
  /** Instances addressable one by one (empty with cluster: they share one port). */
  instances: string[];
  stop(): Promise<void>;
}

async function startNginxFront(ctx: BenchContext, apis: number, nginx: string): Promise<Balanced> {
  const started: ApiInstance[] = [];
  let lb: LoadBalancer | undefined;
  try {
    for (let i = 0; i < apis; i++) started.push(await startBenchApi(ctx, { name: `api ${i + 1}`, cacheEnabled: true }));
    lb = await startNginx(
      nginx,
      started.map((a) => a.url),
    );
  } catch (error) {
    await stopAll(started.map((a) => a.proc));
    throw error;
  }
  const balancer = lb;
  return {
    kind: 'nginx',
    url: balancer.url,
    instances: started.map((a) => a.url),
    async stop() {
      await balancer.stop();
      await stopAll(started.map((a) => a.proc));
    },
  };
}

async function startClusterFront(ctx: BenchContext, apis: number): Promise<Balanced> {
  const port = await freePort();
  const env = apiEnv(
    {
      name: 'api cluster',
      runtime: ctx.runtime,
      entry: ctx.build.apiEntry,
      cwd: ctx.build.root,
      databaseUrl: ctx.db.url,
      redisUrl: ctx.redisUrl,
      redisPrefix: ctx.redisPrefix,
      cacheEnabled: true,
      env: ctx.extraEnv,
    },
    port,
  );
  const primary: MeasuredProcess = startProcess({
    name: 'cluster primary',
    runtime: ctx.runtime,
    entry: paths.clusterPrimary,
    env: { ...env, CLUSTER_EXEC: ctx.build.apiEntry, CLUSTER_WORKERS: String(apis) },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(primary, `${url}/readyz`);
  } catch (error) {
    await primary.stop();
    throw error;
  }
  return { kind: 'cluster', url, instances: [], stop: () => primary.stop() };
}

async function mailsExactlyOnce(ctx: BenchContext, mails: number, sink: Awaited<ReturnType<typeof startSmtpSink>>) {
  const before = sink.received();
  const addresses = Array.from({ length: mails }, (_, n) => `scale-reader-${n}@bench.inkwell.test`);
  const started = await insertWelcomeEvents(
    ctx.db.url,
    addresses.map((email, n) => ({ userId: ctx.seeded.authors[0]?.id, email, displayName: `Reader ${n}` })),
  );
  await sink.waitFor(before + mails, 120_000);
  const seconds = (performance.now() - started) / 1000;
  // Give duplicates, if any, time to show up before counting.
  await sleep(2_000);
  const counts = addresses.map((email) => sink.recipients().get(email) ?? 0);
  return {
    mails,
    perSecond: mails / seconds,
    missing: counts.filter((c) => c === 0).length,
    duplicated: counts.filter((c) => c > 1).length,
  };
}

async function main(): Promise<void> {
  const scale = scaleEnvSchema.parse(process.env);
  const { settings, databaseServer, redisUrl } = loadSettings(process.env);
  const nginx = scale.SCALE_BALANCER === 'cluster' ? null : findNginx();
  if (scale.SCALE_BALANCER === 'nginx' && !nginx) throw new Error('nginx is not installed (apt-get install -y nginx)');
  const bench = await openBench({
    settings,
    runtime: currentRuntime(),
    build: currentBuild(),
    databaseServer,
    redisUrl,
    posts: 1_000,
    authors: 20,
  });
  const ctx = bench.ctx;
  const sink = await startSmtpSink();
  const workers: MeasuredProcess[] = [];
  let front: Balanced | undefined;
  try {
    front = nginx
      ? await startNginxFront(ctx, scale.SCALE_APIS, nginx)
      : await startClusterFront(ctx, scale.SCALE_APIS);
    for (let i = 0; i < scale.SCALE_WORKERS; i++) workers.push(startBenchWorker(ctx, `worker ${i + 1}`, sink.port));
    log(`${scale.SCALE_APIS} apis behind ${front.kind} at ${front.url}, ${scale.SCALE_WORKERS} workers`);

    const tokens = await authorTokens(front.url, ctx.seeded);
    const ledger = await FreshnessLedger.load(
      ctx.db.url,
      ctx.seeded.posts.slice(0, 500).map((p) => p.id),
    );
    const firstPost = ctx.seeded.posts[0];
    const common = {
      withRest: firstPost ? await restAvailable(front.url, firstPost.id) : false,
      connections: scale.SCALE_CONNECTIONS,
      durationS: scale.SCALE_DURATION_S,
      keys: 500,
      writeShare: 0.1,
      seeded: ctx.seeded,
      tokens,
      ledger,
    };
    const runs: MixedFigures[] = [];
    log('mixed workload through the balancer…');
    runs.push(
      await runMixed({ ...common, label: `through ${front.kind} (${scale.SCALE_APIS} apis)`, instances: [front.url] }),
    );
    if (front.instances.length > 1) {
      log('mixed workload across instances in turn…');
      runs.push(
        await runMixed({
          ...common,
          label: `instances in turn (write on one, read on the next)`,
          instances: front.instances,
        }),
      );
    }
    log(`${scale.SCALE_MAILS} mails through ${scale.SCALE_WORKERS} workers…`);
    const mail = scale.SCALE_MAILS > 0 ? await mailsExactlyOnce(ctx, scale.SCALE_MAILS, sink) : null;

    const stale = runs.reduce((total, r) => total + r.staleReads + r.finalStale, 0);
    const report: ScenarioReport = {
      id: 8,
      title: `Scale-out: ${scale.SCALE_APIS} apis + ${scale.SCALE_WORKERS} workers behind ${front.kind}`,
      setup: `${ctx.runtime.label}; one PostgreSQL, one Redis; ${scale.SCALE_CONNECTIONS} connections for ${scale.SCALE_DURATION_S} s per run; mixed workload of scenario 3; all on one 2-core machine, so this checks correctness across processes more than it measures scaling.`,
      columns: MIXED_COLUMNS,
      rows: runs.map(mixedRow),
      targets: [
        { name: 'stale reads across instances', goal: '0', value: String(stale), met: stale === 0 },
        ...(mail
          ? [
              {
                name: `mails through ${scale.SCALE_WORKERS} workers delivered exactly once`,
                goal: `${mail.mails} once each`,
                value: `${mail.missing} missing, ${mail.duplicated} duplicated`,
                met: mail.missing === 0 && mail.duplicated === 0,
              },
            ]
          : []),
      ],
      notes: mail
        ? [`mail: ${mail.perSecond.toFixed(0)} mails/s through ${scale.SCALE_WORKERS} workers`]
        : ['mail check skipped (SCALE_MAILS=0)'],
      data: { scale, runs, mail },
    };
    process.stdout.write(`\n${renderScenario(report)}\n`);
    mkdirSync(paths.results, { recursive: true });
    const file = `${paths.results}scale-out-${new Date()
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z')}.json`;
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`written to ${file}\n`);
    if (report.targets.some((t) => !t.met)) process.exitCode = 1;
  } finally {
    await stopAll(workers);
    await front?.stop();
    await sink.close();
    await bench.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `scale-out failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
