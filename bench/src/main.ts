import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { ARGON2_COST, log, openBench } from './context.js';
import { paths } from './paths.js';
import { renderScenario, type ScenarioReport, writeRunReport } from './report.js';
import { currentRuntime } from './runtimes.js';
import { listPagesScenario } from './scenarios/list-pages.js';
import { loginScenario } from './scenarios/login.js';
import { mailScenario } from './scenarios/mail.js';
import { memoryScenario } from './scenarios/memory.js';
import { mixedScenario } from './scenarios/mixed.js';
import { physicalLimitScenario } from './scenarios/physical-limit.js';
import { runtimeScenario } from './scenarios/runtime.js';
import { webScenario } from './scenarios/web.js';
import { loadSettings } from './settings.js';

/** Posts in the bench database: the largest page-size scenario walks all of them. */
const BENCH_POSTS = 2_480;
const BENCH_AUTHORS = 20;

async function main(): Promise<void> {
  const { settings, only, databaseServer, redisUrl } = loadSettings(process.env);
  for (const entry of [paths.apiEntry, paths.workerEntry]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first (\`pnpm bench\` does)`);
  }
  const startedAt = new Date().toISOString();
  const runtime = currentRuntime();
  log(`profile ${settings.profile}, ${runtime.label} ${runtime.version}, ${cpus().length} cpus`);

  const bench = await openBench({
    settings,
    runtime,
    databaseServer,
    redisUrl,
    posts: BENCH_POSTS,
    authors: BENCH_AUTHORS,
  });
  const ctx = bench.ctx;
  const reports: ScenarioReport[] = [];
  try {
    const scenarios: Array<[number, string, () => Promise<ScenarioReport>]> = [
      [1, 'physical limit', () => physicalLimitScenario(ctx)],
      [2, 'posts.list page sizes', () => listPagesScenario(ctx)],
      [3, 'mixed workload', () => mixedScenario(ctx)],
      [4, 'login', () => loginScenario(ctx, ARGON2_COST)],
      [5, 'mail', () => mailScenario(ctx)],
      [6, 'memory', () => memoryScenario(ctx)],
      [7, 'runtime', () => runtimeScenario(ctx)],
      [8, 'web app', () => webScenario(ctx)],
    ];
    for (const [id, name, run] of scenarios) {
      if (only && !only.has(id)) continue;
      const t0 = performance.now();
      log(`scenario ${id} (${name})…`);
      try {
        reports.push(await run());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`scenario ${id} failed: ${message}`);
        reports.push({
          id,
          title: name,
          setup: '',
          columns: [],
          rows: [],
          targets: [],
          notes: [],
          data: null,
          error: message,
        });
      }
      log(`scenario ${id} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await bench.close();
  }

  const file = writeRunReport({
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: settings.profile,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` },
    scenarios: reports,
  });
  process.stdout.write(`\n${reports.map(renderScenario).join('\n')}\nwritten to ${file}\n`);
  if (reports.some((r) => r.error)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
