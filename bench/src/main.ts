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
import { webScenario } from './scenarios/web.js';
import { loadSettings, USAGE } from './settings.js';
import { median } from './stats.js';

/** Posts in the bench database: the largest page-size scenario walks all of them. */
const BENCH_POSTS = 2_480;
const BENCH_AUTHORS = 20;

interface ScenarioDefinition {
  id: number;
  name: string;
  /** Seconds on the full profile when no earlier run recorded it (quick: a fifth). */
  estimateS: number;
  /**
   * Runs against the old build too under --compare. Not the runtime scenario (it compares
   * runtimes) nor the web app's (it measures the working tree's web bundle whatever the api).
   */
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
  { id: 8, name: 'web app', estimateS: 40, compares: false, run: webScenario },
  { id: 9, name: 'HTTP conditional reads', estimateS: 45, compares: true, run: conditionalScenario },
  { id: 10, name: 'SQL statements per request', estimateS: 20, compares: true, run: statementsScenario },
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

interface PlannedRun {
  key: string;
  label: string;
  definition: ScenarioDefinition;
  which: 'new' | 'old';
  round: number;
}

interface FinishedRun extends PlannedRun {
  report: ScenarioReport;
}

/** Each scenario's headline figures, old and new build: the median over the rounds of each. */
function compareReports(oldBuild: Build, newBuild: Build, runs: FinishedRun[], notes: string[]): Comparison {
  const ids = [...new Set(runs.filter((r) => r.which === 'old').map((r) => r.definition.id))];
  return {
    old: { label: oldBuild.label, commit: oldBuild.commit },
    new: { label: newBuild.label, commit: newBuild.commit },
    scenarios: ids.map((id) => {
      const of = (which: 'new' | 'old') =>
        runs.filter((r) => r.definition.id === id && r.which === which).map((r) => r.report);
      const next = of('new');
      const previous = of('old');
      const failed = [...next, ...previous].find((r) => r.error);
      const skipped = [...next, ...previous].find((r) => r.skipped);
      const medianOf = (reports: ScenarioReport[], name: string) =>
        median(reports.flatMap((r) => (r.figures ?? []).filter((f) => f.name === name).map((f) => f.value)));
      const rows = (next[0]?.figures ?? []).map((figure) => ({
        name: figure.name,
        unit: figure.unit,
        better: figure.better,
        old: medianOf(previous, figure.name),
        new: medianOf(next, figure.name),
      }));
      return {
        id,
        title: next[0]?.title ?? String(id),
        rows: skipped ? [] : rows,
        ...(failed?.error ? { error: failed.error } : {}),
        ...(skipped?.skipped && !failed ? { skipped: skipped.skipped } : {}),
      };
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
  // Under --compare each scenario runs on both builds, `rounds` times; which build goes first
  // alternates, so drift over the run does not favour one of them.
  const rounds = previous ? options.rounds : 1;
  const runsPlan: PlannedRun[] = chosen.flatMap((definition, index) => {
    if (!previous || !definition.compares) {
      return [{ key: String(definition.id), label: definition.name, definition, which: 'new' as const, round: 1 }];
    }
    return Array.from({ length: rounds }, (_, r) => {
      const round = rounds > 1 ? `, round ${r + 1}/${rounds}` : '';
      const pair: PlannedRun[] = [
        {
          key: `${definition.id}:new:${r + 1}`,
          label: `${definition.name} (working tree${round})`,
          definition,
          which: 'new',
          round: r + 1,
        },
        {
          key: `${definition.id}:old:${r + 1}`,
          label: `${definition.name} (${compare}${round})`,
          definition,
          which: 'old',
          round: r + 1,
        },
      ];
      return (index + r) % 2 === 1 ? pair.reverse() : pair;
    }).flat();
  });
  const plan: PlannedScenario[] = runsPlan.map((run) => ({
    key: run.key,
    label: run.label,
    estimateS: estimate(run.definition),
  }));
  const progress = new Progress(plan);

  const finished: FinishedRun[] = [];
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
    // The old build gets its own Redis prefix (cache entries of another shape, its own queues).
    const oldCtx: BenchContext | null = previous
      ? { ...ctx, build: previous.build, redisPrefix: `${ctx.redisPrefix}old:` }
      : null;
    for (const run of runsPlan) {
      progress.startScenario(run.key);
      const report = await runOne(run.definition, run.which === 'old' && oldCtx ? oldCtx : ctx);
      report.durationS = Math.round(progress.endScenario());
      log(`scenario ${run.key} done in ${report.durationS} s${report.skipped ? ` (skipped: ${report.skipped})` : ''}`);
      finished.push({ ...run, report });
    }
  } finally {
    await bench?.close();
    cleanUp();
  }

  const reports = finished.filter((r) => r.which === 'new' && r.round === 1).map((r) => r.report);
  const comparison = previous
    ? compareReports(previous.build, build, finished, [
        ...previous.notes,
        ...(rounds > 1 ? [`Each figure is the median of ${rounds} rounds per build.`] : []),
      ])
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
  if (finished.some((r) => r.report.error)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
