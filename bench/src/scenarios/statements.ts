import { type BenchContext, startBenchApi } from '../context.js';
import {
  type ApiInstance,
  bearer,
  getOk,
  login,
  restPostPath,
  setLiked,
  trpcQueryPath,
  updatePostTitle,
} from '../inkwell.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';
import { BENCH_PASSWORD, benchTitle } from '../seed.js';
import { startStatementCounter } from '../sql-counter.js';

interface Measured {
  name: string;
  /** #16's goal, for reference: the tests check it, this row only reports. */
  goal: string;
  requests: number;
  statements: number;
}

/** Title versions of this scenario's edits: far above what scenario 3 reaches, always increasing. */
const VERSION_BASE = 1_000_000;

/**
 * Scenario 10: SQL statements per request, counted on the wire (a proxy between one api and
 * PostgreSQL counting Query and Execute messages) around `requests` sequential calls of each
 * kind, after a warm-up call. Informational: the statement budgets are asserted by tests.
 */
export async function statementsScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const n = ctx.settings.statements.requests;
  const server = new URL(ctx.db.url);
  const counter = await startStatementCounter({ host: server.hostname, port: Number(server.port || 5432) });
  let api: ApiInstance | undefined;
  try {
    ctx.step('starting an api whose database connection goes through the statement counter');
    api = await startBenchApi(ctx, {
      name: 'api (statements)',
      cacheEnabled: true,
      env: { DATABASE_URL: counter.via(ctx.db.url) },
    });
    const base = api.url;
    const post = ctx.seeded.posts[1];
    const author = post ? ctx.seeded.authors[post.authorIndex] : undefined;
    const reader = post ? ctx.seeded.authors[(post.authorIndex + 1) % ctx.seeded.authors.length] : undefined;
    if (!post || !author || !reader) throw new Error('no seeded post');
    const readerToken = await login(base, reader.email, BENCH_PASSWORD);
    const authorToken = await login(base, author.email, BENCH_PASSWORD);
    if (!(await setLiked(base, readerToken, post.id, true))) throw new Error('the reader could not like the post');
    const byId = `${base}${trpcQueryPath('posts.byId', { id: post.id })}`;
    const list = `${base}${trpcQueryPath('posts.list', { limit: 20 })}`;

    const kinds: Array<{ name: string; goal: string; call: (i: number) => Promise<unknown> }> = [
      { name: 'tRPC posts.byId, anonymous, cached', goal: '0', call: () => getOk(byId) },
      { name: 'tRPC posts.byId, signed in, cached', goal: '0', call: () => getOk(byId, bearer(readerToken)) },
      {
        name: 'REST GET /api/posts/{id}, signed in, cached',
        goal: '0',
        call: () => getOk(`${base}${restPostPath(post.id)}`, bearer(readerToken)),
      },
      { name: 'tRPC posts.list (20), signed in, cached', goal: '0', call: () => getOk(list, bearer(readerToken)) },
      {
        name: 'posts.update (title)',
        goal: '≤ 3',
        call: async (i) => {
          const answer = await updatePostTitle(base, authorToken, post.id, benchTitle(post.index, VERSION_BASE + i));
          if (answer.status !== 200) throw new Error(`posts.update: HTTP ${answer.status}`);
        },
      },
      {
        name: 'posts.like / posts.unlike',
        goal: '',
        call: async (i) => {
          if (!(await setLiked(base, readerToken, post.id, i % 2 === 0))) throw new Error('posts.like failed');
        },
      },
    ];
    const measured: Measured[] = [];
    let call = 0;
    for (const kind of kinds) {
      ctx.step(kind.name);
      await kind.call(call++); // warm-up: fills the cache entry the next calls hit
      const before = counter.statements();
      for (let i = 0; i < n; i++) await kind.call(call++);
      measured.push({ name: kind.name, goal: kind.goal, requests: n, statements: counter.statements() - before });
      // A write invalidates: the next kind's warm-up refills what it reads.
    }
    return {
      id: 10,
      title: 'SQL statements per request (informational)',
      setup: `${ctx.runtime.label}; one cached api whose PostgreSQL connection goes through a counting proxy (bench/src/sql-counter.ts: Query and Execute messages of the wire protocol); ${n} sequential requests of each kind after one warm-up request; signed-in reads by a reader who likes the post. Not timed.`,
      columns: ['request', 'statements per request', '#16 goal (checked by tests)'],
      rows: measured.map((m) => [m.name, m.statements / m.requests, m.goal]),
      targets: [],
      notes: [
        'BEGIN and COMMIT count as statements; a request whose row is fractional shares statements with something periodic in the api.',
      ],
      figures: measured.map((m) => ({
        name: `${m.name}: statements`,
        value: m.statements / m.requests,
        unit: '',
        better: 'lower',
      })),
      data: measured,
    };
  } finally {
    await stopAll([api?.proc]);
    await counter.close();
  }
}
