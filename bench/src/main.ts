import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { deleteRedisKeys } from '@inkwell/db/testing';
import type { BenchContext } from './context.js';
import { createBenchDatabase } from './database.js';
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
import { type Argon2Cost, seedBenchData } from './seed.js';
import { loadSettings } from './settings.js';

/** The api's default argon2id cost (OWASP minimum); see packages/api/src/config.ts. */
const ARGON2_COST: Argon2Cost = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
/** Posts in the bench database: the largest page-size scenario walks all of them. */
const BENCH_POSTS = 2_480;
const BENCH_AUTHORS = 20;

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<void> {
  const { settings, only, databaseServer, redisUrl, cpuProfile } = loadSettings(process.env);
  for (const entry of [paths.apiEntry, paths.workerEntry]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first (\`pnpm bench\` does)`);
  }
  const startedAt = new Date().toISOString();
  const runtime = currentRuntime();
  log(`profile ${settings.profile}, ${runtime.label} ${runtime.version}, ${cpus().length} cpus`);

  const db = await createBenchDatabase(databaseServer);
  const redisPrefix = `inkwell-bench:${randomBytes(4).toString('hex')}:`;
  log(`database ${db.name}, redis prefix ${redisPrefix}`);
  const reports: ScenarioReport[] = [];
  try {
    const seeded = await seedBenchData(db.url, { authors: BENCH_AUTHORS, posts: BENCH_POSTS, cost: ARGON2_COST });
    log(`seeded ${seeded.authors.length} authors, ${seeded.posts.length} posts`);
    const ctx: BenchContext = {
      settings,
      runtime,
      db,
      seeded,
      redisUrl,
      redisPrefix,
      extraEnv: {},
      cpuProfile,
      log,
    };
    const scenarios: Array<[number, string, () => Promise<ScenarioReport>]> = [
      [1, 'physical limit', () => physicalLimitScenario(ctx)],
      [2, 'posts.list page sizes', () => listPagesScenario(ctx)],
      [3, 'mixed workload', () => mixedScenario(ctx)],
      [4, 'login', () => loginScenario(ctx, ARGON2_COST)],
      [5, 'mail', () => mailScenario(ctx)],
      [6, 'memory', () => memoryScenario(ctx)],
      [7, 'runtime', () => runtimeScenario(ctx)],
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
    await db.drop().catch((error: unknown) => log(`could not drop ${db.name}: ${String(error)}`));
    await deleteRedisKeys(redisPrefix, redisUrl).catch((error: unknown) =>
      log(`could not clean Redis: ${String(error)}`),
    );
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
