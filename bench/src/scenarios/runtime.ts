import type { BenchContext } from '../context.js';
import type { ScenarioReport } from '../report.js';
import { ensureNode24 } from '../runtimes.js';
import { measurePages } from './list-pages.js';
import { measurePhysicalLimit } from './physical-limit.js';

/** Scenario 7: scenarios 1 and 2 on the machine's Node and on Node 24, one after the other. */
export async function runtimeScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const s = ctx.settings.runtime;
  ctx.step('looking for Node 24');
  const node24 = await ensureNode24(s.node24, ctx.log);
  const base = {
    id: 7,
    title: `Runtime: ${ctx.runtime.label} vs Node 24 (scenarios 1 and 2)`,
    setup: `autocannon ${ctx.settings.physical.connections} connections, ${s.durationS} s per target; page walks ≥ ${s.durationS} s per cell; same database, same Redis.`,
  };
  if ('skip' in node24) {
    return { ...base, columns: [], rows: [], targets: [], notes: [], data: null, skipped: node24.skip };
  }
  const limitOptions = {
    connections: ctx.settings.physical.connections,
    durationS: s.durationS,
    rounds: 1,
    authenticated: false,
    handwritten: false,
  };
  const limits20 = await measurePhysicalLimit(ctx, ctx.runtime, limitOptions);
  const limits24 = await measurePhysicalLimit(ctx, node24, limitOptions);
  const { pages: pages20 } = await measurePages(ctx, ctx.runtime, s.durationS * 1000);
  const { pages: pages24 } = await measurePages(ctx, node24, s.durationS * 1000);

  const rows: Array<Array<string | number>> = [];
  limits20.targets.forEach((t20, i) => {
    const t24 = limits24.targets[i];
    if (t24) rows.push([`${t20.name} req/s`, t20.rps, t24.rps, t24.rps / t20.rps]);
  });
  limits20.targets.slice(1).forEach((t20, i) => {
    const t24 = limits24.targets[i + 1];
    if (t24) rows.push([`${t20.name} × bare`, t20.ratio, t24.ratio, t24.ratio / t20.ratio]);
  });
  pages20.forEach((p20, i) => {
    const p24 = pages24[i];
    if (!p24) return;
    rows.push([`posts.list ${p20.size} cold p50 ms`, p20.cold.p50Ms, p24.cold.p50Ms, p20.cold.p50Ms / p24.cold.p50Ms]);
    rows.push([`posts.list ${p20.size} warm p50 ms`, p20.warm.p50Ms, p24.warm.p50Ms, p20.warm.p50Ms / p24.warm.p50Ms]);
  });
  return {
    ...base,
    setup: `${ctx.runtime.version} vs ${node24.version} (npm \`node\` package); ${base.setup}`,
    columns: ['figure', ctx.runtime.label, 'node24', 'node24 speed-up'],
    rows,
    targets: [],
    notes: ['speed-up > 1 means Node 24 is faster (req/s ratio, or latency ratio inverted).'],
    data: { limits20, limits24, pages20, pages24 },
  };
}
