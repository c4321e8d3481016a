import { setTimeout as sleep } from 'node:timers/promises';
import argon2 from 'argon2';
import { type BenchContext, startBenchApi } from '../context.js';
import { closedLoop, httpPost } from '../load.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';
import { type Argon2Cost, BENCH_PASSWORD } from '../seed.js';

/** Scenario 4: logins/s through the api vs bare argon2id verifications/s at the same cost. */
export async function loginScenario(ctx: BenchContext, cost: Argon2Cost): Promise<ScenarioReport> {
  const s = ctx.settings.login;
  const durationMs = s.durationS * 1000;

  ctx.step(`bare argon2.verify, ${s.durationS} s`);
  // Baseline: the physical limit of the hash itself on this machine (libuv pool, same concurrency).
  const hash = await argon2.hash(BENCH_PASSWORD, { type: argon2.argon2id, ...cost });
  const bare = await closedLoop({
    concurrency: s.connections,
    durationMs,
    task: async () => {
      if (!(await argon2.verify(hash, BENCH_PASSWORD))) throw new Error('argon2.verify failed');
    },
  });

  ctx.step(`bare argon2.verify done (${bare.perSecond.toFixed(1)}/s); api logins`);
  const api = await startBenchApi(ctx, { name: 'api (login)', cacheEnabled: true });
  try {
    await api.proc.lag(); // discards start-up
    await sleep(durationMs);
    const idleLag = await api.proc.lag();
    let failed = 0;
    const statuses = new Map<number, number>();
    const logins = await closedLoop({
      concurrency: s.connections,
      durationMs,
      task: async (loop) => {
        const author = ctx.seeded.authors[loop % ctx.seeded.authors.length];
        if (!author) return;
        const answer = await httpPost(`${api.url}/trpc/auth.login`, { email: author.email, password: BENCH_PASSWORD });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status !== 200) failed++;
      },
    });
    const loginLag = await api.proc.lag();
    if (failed > 0) {
      throw new Error(
        `${failed} of ${logins.count} logins failed (statuses ${JSON.stringify(Object.fromEntries(statuses))})`,
      );
    }
    const ratio = logins.perSecond / bare.perSecond;
    return {
      id: 4,
      title: 'Login: argon2id at the configured cost',
      setup: `${ctx.runtime.label}; argon2id m=${cost.memoryCost} KiB, t=${cost.timeCost}, p=${cost.parallelism}; ${s.connections} concurrent logins for ${s.durationS} s (undici, ${ctx.seeded.authors.length} accounts); event-loop lag = delay beyond the 5 ms sampling interval of a monitorEventLoopDelay probe preloaded into the api.`,
      columns: ['what', 'per second', 'p50 ms', 'p99 ms', 'event-loop lag p99 ms', 'lag max ms', '× bare'],
      rows: [
        ['bare argon2.verify (this process, baseline)', bare.perSecond, bare.p50Ms, bare.p99Ms, '', '', 1],
        ['api auth.login', logins.perSecond, logins.p50Ms, logins.p99Ms, loginLag.p99Ms, loginLag.maxMs, ratio],
        ['api idle (lag baseline)', '', '', '', idleLag.p99Ms, idleLag.maxMs, ''],
      ],
      targets: [],
      notes: [
        'argon2 runs on the libuv thread pool (4 threads on 2 cores), so the hash, not the event loop, bounds logins/s; the lag column shows whether hashing stalls other requests.',
      ],
      figures: [
        { name: 'api logins/s × bare argon2.verify', value: ratio, unit: '×', better: 'higher' },
        { name: 'event-loop lag p99 while logging in', value: loginLag.p99Ms, unit: 'ms', better: 'lower' },
      ],
      data: { cost, bare, logins, loginLag, idleLag },
    };
  } finally {
    await stopAll([api.proc]);
  }
}
