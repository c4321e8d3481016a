import { cpus, loadavg } from 'node:os';
import { assertBuilt, type Build, currentBuild, prepareBuild } from './builds.js';
import { ARGON2_COST, type BenchContext, openBench } from './context.js';
import { killStarted } from './processes.js';
import { log, type PlannedScenario, Progress, recordedDurations } from './progress.js';
import { type Comparison, renderComparison, renderScenario, type ScenarioReport, writeRunReport } from './report.js';
import { currentRuntime } from './runtimes.js';
import { conditionalScenario } from './scenarios/conditional.js';
import { listPagesScenario } from './scenarios/list-pages.js';
import { loginScenario } from './scenarios/login.js';
import { mailScenario } from './scenarios/mail.js';
import { memoryScenario } from './scenarios/memory.js';
import { mixedScenario } from './scenarios/mixed.js';
import { physicalLimitScenario } from './scenarios/physical-limit.js';
import { runtimeScenario } from './scenarios/runtime.js';
import { statementsScenario } from './scenarios/statements.js';
import { loadSettings, USAGE } from './settings.js';

/** Posts in the bench database: the largest page-size scenario walks all of them. */
const BENCH_POSTS = 2_480;
const BENCH_AUTHORS = 20;

interface ScenarioDefinition {
  id: number;
  name: string;
  /** Seconds on the full profile when no earlier run recorded it (quick: a fifth). */
  estimateS: number;
  /** Runs against the old build too under --compare (the runtime scenario compares runtimes instead). */
  compares: boolean;
  run(ctx: BenchContext): Promise<ScenarioReport>;
}

const SCENARIOS: ScenarioDefinition[] = [
  { id: 1, name: 'physical limit', estimateS: 110, compares: true, run: physicalLimitScenario },
  { id: 2, name: 'posts.list page sizes', estimateS: 55, compares: true, run: listPagesScenario },
  { id: 3, name: 'mixed workload', estimateS: 60, compares: true, run: mixedScenario },
  { id: 4, name: 'login', estimateS: 25, compares: true, run: (ctx) => loginScenario(ctx, ARGON2_COST) },
  { id: 5, name: 'mail', estimateS: 60, compares: true, run: mailScenario },
  { id: 6, name: 'memory', estimateS: 170, compares: true, run: memoryScenario },
  { id: 7, name: 'runtime', estimateS: 110, compares: false, run: runtimeScenario },
  { id: 8, name: 'HTTP conditional reads', estimateS: 45, compares: true, run: conditionalScenario },
  { id: 9, name: 'SQL statements per request', estimateS: 20, compares: true, run: statementsScenario },
];

async function runOne(definition: ScenarioDefinition, ctx: BenchContext): Promise<ScenarioReport> {
  try {
    return await definition.run(ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`scenario ${definition.id} failed: ${message}`);
    return {
      id: definition.id,
      title: definition.name,
      setup: '',
      columns: [],
      rows: [],
      targets: [],
      notes: [],
      data: null,
      error: message,
    };
  }
}

function compareReports(
  oldBuild: Build,
  newBuild: Build,
  pairs: Array<{ next: ScenarioReport; previous: ScenarioReport }>,
  notes: string[],
): Comparison {
  return {
    old: { label: oldBuild.label, commit: oldBuild.commit },
    new: { label: newBuild.label, commit: newBuild.commit },
    scenarios: pairs.map(({ next, previous }) => {
      const error = next.error ?? previous.error ?? next.skipped ?? previous.skipped;
      const rows = (next.figures ?? []).flatMap((figure) => {
        const before = (previous.figures ?? []).find((f) => f.name === figure.name);
        return before ? [{ ...figure, old: before.value, new: figure.value }] : [];
      });
      return { id: next.id, title: next.title, rows, ...(error ? { error } : {}) };
    }),
    notes,
  };
}

async function main(): Promise<void> {
  const options = loadSettings(process.env, process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { settings, only, compare } = options;
  const build = currentBuild();
  assertBuilt(build);
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  const runtime = currentRuntime();
  log(
    `profile ${settings.profile}, ${runtime.label} ${runtime.version}, ${cpus().length} cpus, load ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );

  const chosen = SCENARIOS.filter((s) => (only ? only.has(s.id) : compare ? s.compares : true));
  if (only) {
    const unknown = [...only].filter((id) => !SCENARIOS.some((s) => s.id === id));
    if (unknown.length) throw new Error(`no scenario ${unknown.join(', ')} (scenarios: 1–${SCENARIOS.length})`);
  }

  const previous = compare ? await prepareBuild(compare, log) : null;
  const cleanUp = () => previous?.remove();
  let bench: Awaited<ReturnType<typeof openBench>> | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping what the bench started, dropping its database and Redis keys`);
    killStarted();
    cleanUp();
    void (bench?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const recorded = recordedDurations(settings.profile);
  const estimate = (s: ScenarioDefinition) =>
    recorded.get(s.id) ?? (settings.profile === 'quick' ? s.estimateS / 5 : s.estimateS);
  const plan: PlannedScenario[] = chosen.flatMap((s, index) => {
    if (!previous || !s.compares) return [{ key: String(s.id), label: s.name, estimateS: estimate(s) }];
    const both = [
      { key: `${s.id}:new`, label: `${s.name} (working tree)`, estimateS: estimate(s) },
      { key: `${s.id}:old`, label: `${s.name} (${compare})`, estimateS: estimate(s) },
    ];
    return index % 2 === 1 ? both.reverse() : both;
  });
  const progress = new Progress(plan);

  const reports: ScenarioReport[] = [];
  const oldReports: ScenarioReport[] = [];
  try {
    bench = await openBench({
      settings,
      runtime,
      build,
      databaseServer: options.databaseServer,
      redisUrl: options.redisUrl,
      posts: BENCH_POSTS,
      authors: BENCH_AUTHORS,
    });
    const ctx: BenchContext = { ...bench.ctx, step: (message) => progress.stepTo(message) };
    for (const [index, definition] of chosen.entries()) {
      const runs: Array<[string, BenchContext, ScenarioReport[]]> = [
        [previous && definition.compares ? `${definition.id}:new` : String(definition.id), ctx, reports],
      ];
      if (previous && definition.compares) {
        // The old build gets its own Redis prefix (cache entries of another shape, its own queues).
        const oldCtx = { ...ctx, build: previous.build, redisPrefix: `${ctx.redisPrefix}old:` };
        const oldRun: [string, BenchContext, ScenarioReport[]] = [`${definition.id}:old`, oldCtx, oldReports];
        // Alternating which build goes first, so drift over the run does not favour one of them.
        if (index % 2 === 1) runs.unshift(oldRun);
        else runs.push(oldRun);
      }
      for (const [key, runCtx, into] of runs) {
        progress.startScenario(key);
        const report = await runOne(definition, runCtx);
        report.durationS = Math.round(progress.endScenario());
        log(`scenario ${key} done in ${report.durationS} s${report.skipped ? ` (skipped: ${report.skipped})` : ''}`);
        into.push(report);
      }
    }
  } finally {
    await bench?.close();
    cleanUp();
  }

  const comparison =
    previous && compare
      ? compareReports(
          previous.build,
          build,
          reports.flatMap((next) => {
            const old = oldReports.find((r) => r.id === next.id);
            return old ? [{ next, previous: old }] : [];
          }),
          previous.notes,
        )
      : undefined;
  const complete = settings.profile === 'full' && !only && !compare;
  const file = writeRunReport(
    {
      startedAt,
      finishedAt: new Date().toISOString(),
      profile: settings.profile,
      machine: {
        cpus: cpus().length,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAtStart,
        loadAtEnd: loadavg(),
      },
      build: { label: build.label, commit: build.commit },
      scenarios: reports,
      ...(comparison ? { comparison } : {}),
    },
    complete,
  );
  const sections = reports.map((r) => renderScenario(r));
  if (comparison) sections.push(renderComparison(comparison));
  process.stdout.write(
    `\n${sections.join('\n')}\nwritten to ${file}${complete ? ' and bench/results/latest.json' : ' (a partial run: latest.json, which the docs are drawn from, is left as it was)'}\n`,
  );
  if ([...reports, ...oldReports].some((r) => r.error)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
