import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSession } from '../modules/auth/sessions.service.js';
import { publicProcedure } from '../procedures.js';
import { appRouter } from '../root.js';
import { createSignedInUser } from '../test/auth-helpers.js';
import { listProcedures, type ProcedureEntry } from '../test/fuzz/catalog.js';
import { type FuzzStats, type FuzzTarget, fuzzProcedure } from '../test/fuzz/fuzz-procedure.js';
import { startTestApi, type TestApi } from '../test/harness.js';
import { testRouter } from '../test/test-router.js';
import { router } from '../trpc.js';
import { REST_BASE_PATH } from './openapi.js';

/** Runs per procedure; CI keeps the default. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** Procedures fuzzed at once against the one api. */
const CONCURRENCY = 4;

async function fuzzAll(target: FuzzTarget, entries: ProcedureEntry[]): Promise<FuzzStats[]> {
  const queue = [...entries];
  const results: FuzzStats[] = [];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const stats = await fuzzProcedure(target, entry);
      if (process.env.FUZZ_PROGRESS) process.stdout.write(`  done ${stats.path} in ${stats.durationMs} ms\n`);
      results.push(stats);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results.sort((a, b) => a.path.localeCompare(b.path));
}

function report(title: string, stats: FuzzStats[], startedAt: number): void {
  const lines = stats.map(
    (s) =>
      `  ${s.path}: ${s.runs} runs (${s.valid} valid, ${s.invalid} invalid; 400+issues trpc ${s.rejectedWithIssues.trpc}` +
      ` rest ${s.rejectedWithIssues.rest} of ${s.invalidViaRest}) statuses ${JSON.stringify(s.statuses)} in ${s.durationMs} ms`,
  );
  process.stdout.write(`${title}: ${stats.length} procedures in ${Date.now() - startedAt} ms\n${lines.join('\n')}\n`);
}

/**
 * The suite is not vacuous: every procedure ran its runs, saw both valid and invalid inputs,
 * and (where a caller could get past its guards) turned invalid ones away with field issues.
 */
function expectCoverage(stats: FuzzStats[], entries: ProcedureEntry[], target: FuzzTarget): void {
  expect(stats.map((s) => s.path)).toEqual(entries.map((e) => e.path));
  for (const s of stats) {
    const entry = entries.find((e) => e.path === s.path);
    expect(s.runs, s.path).toBeGreaterThanOrEqual(NUM_RUNS);
    if (!entry?.input) continue;
    // At least 1 in 40 of each kind (5 of 200): the generator reaches both sides of the schema.
    expect(s.valid, `${s.path}: valid inputs generated`).toBeGreaterThanOrEqual(NUM_RUNS / 40);
    expect(s.invalid, `${s.path}: invalid inputs generated`).toBeGreaterThanOrEqual(NUM_RUNS / 40);
    const reachable = !entry.rest?.protect || target.tokens.user !== undefined;
    if (!reachable) continue;
    expect(s.rejectedWithIssues.trpc, `${s.path}: 400 with issues via tRPC`).toBeGreaterThan(0);
    if (target.restBase && entry.rest && s.invalidViaRest > 0) {
      expect(s.rejectedWithIssues.rest, `${s.path}: 400 with issues via REST`).toBeGreaterThan(0);
    }
  }
}

/** Inputs follow the conventions: bounded strings and arrays, and `limit` at most 100. */
function unboundedFields(entry: ProcedureEntry): string[] {
  if (!entry.input) return [];
  const problems: string[] = [];
  const visit = (node: unknown, where: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    const bounded = 'enum' in schema || 'const' in schema || 'pattern' in schema;
    if (schema.type === 'string' && !bounded && typeof schema.maxLength !== 'number')
      problems.push(`${where}: string without max`);
    if (schema.type === 'array' && typeof schema.maxItems !== 'number') problems.push(`${where}: array without max`);
    if (where.endsWith('.limit') && !(typeof schema.maximum === 'number' && schema.maximum <= 100)) {
      problems.push(`${where}: limit above 100`);
    }
    for (const [key, child] of Object.entries(schema)) {
      if (key === 'properties' && typeof child === 'object' && child !== null) {
        for (const [name, property] of Object.entries(child)) visit(property, `${where}.${name}`);
      } else if (typeof child === 'object') {
        visit(child, where);
      }
    }
  };
  visit(z.toJSONSchema(entry.input, { io: 'input', unrepresentable: 'any' }), entry.path);
  return problems;
}

/**
 * A fresh session per call, of one account per procedure and role: a procedure that signs
 * out or changes its account (logout, logoutAll, changePassword) cannot starve the runs after
 * it, nor other procedures fuzzed at the same time.
 */
function freshTokens(api: TestApi, reservedIds: Set<string>): FuzzTarget['tokens'] {
  const accounts = new Map<string, Promise<string>>();
  const tokenFor = (role: 'user' | 'admin') => async (entry: ProcedureEntry) => {
    const key = `${role}:${entry.path}`;
    let account = accounts.get(key);
    if (!account) {
      account = createSignedInUser(api, { role }).then((user) => {
        reservedIds.add(user.userId);
        return user.userId;
      });
      accounts.set(key, account);
    }
    const userId = await account;
    const issued = await api.deps.orm.em
      .fork()
      .transactional((em) => createSession(em, api.config.auth, userId, { userAgent: 'fuzz', ip: '127.0.0.1' }));
    return issued.accessToken.token;
  };
  return { user: tokenFor('user'), admin: tokenFor('admin') };
}

/** The api over tRPC and REST, as anonymous, user and admin callers, NUM_RUNS runs each. */
function fuzzTargetFor(api: TestApi): FuzzTarget {
  const reservedIds = new Set<string>();
  return {
    url: api.url,
    restBase: REST_BASE_PATH,
    tokens: freshTokens(api, reservedIds),
    knownIds: [],
    reservedIds,
    numRuns: NUM_RUNS,
    requestTimeoutMs: 10_000,
  };
}

describe('fuzz: the test-only router (the suite itself)', () => {
  const fuzzable = router({
    echo: testRouter.echo,
    list: testRouter.list,
    mine: testRouter.mine,
    whoami: testRouter.whoami,
  });
  const broken = router({
    // Crashes on some valid inputs, and accepts some invalid ones without a 400.
    crashes: publicProcedure.input(z.strictObject({ n: z.number().int().min(0).max(1_000) })).query(({ input }) => {
      if (input.n > 500) throw new Error('unexpected');
      return { n: input.n };
    }),
    lenient: publicProcedure.input(z.unknown()).query(() => ({ ok: true })),
  });
  let api: TestApi;
  let brokenApi: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ router: fuzzable });
    brokenApi = await startTestApi({ router: broken, shareWith: api });
  });
  afterAll(async () => {
    await brokenApi?.close();
    await api?.close();
  });

  it('walks the router: paths, types, zod inputs and REST meta', () => {
    const entries = listProcedures(fuzzable);
    expect(entries.map((e) => [e.path, e.type, e.rest?.method ?? null])).toEqual([
      ['echo', 'mutation', 'POST'],
      ['list', 'query', 'GET'],
      ['mine', 'query', 'GET'],
      ['whoami', 'query', 'GET'],
    ]);
    expect(entries.every((e) => e.input instanceof z.ZodType)).toBe(true);
    expect(entries.flatMap(unboundedFields)).toEqual([]);
  });

  it(`never a 5xx, never a hang, invalid input is a 400 with issues (${NUM_RUNS} runs each)`, async () => {
    const target = fuzzTargetFor(api);
    const entries = listProcedures(fuzzable);
    const startedAt = Date.now();
    const stats = await fuzzAll(target, entries);
    report('fuzz (test router)', stats, startedAt);
    expectCoverage(stats, entries, target);
  }, 120_000);

  it('catches a procedure that fails with 500 and one that lets invalid input through', async () => {
    const target: FuzzTarget = {
      url: brokenApi.url,
      restBase: null,
      tokens: {},
      knownIds: [],
      reservedIds: new Set(),
      numRuns: 200,
      requestTimeoutMs: 10_000,
    };
    const [crashes, lenient] = listProcedures(broken);
    if (!crashes || !lenient) throw new Error('test router changed');
    await expect(fuzzProcedure(target, crashes)).rejects.toThrow(/server error/);
    const strict = { ...lenient, input: z.strictObject({ n: z.number() }) };
    await expect(fuzzProcedure(target, strict)).rejects.toThrow(/not rejected with 400/);
  });
});

describe('fuzz: every procedure of appRouter', () => {
  const entries = listProcedures(appRouter);
  let api: TestApi;
  beforeAll(async () => {
    // The anti-enumeration answer floor is tested by auth; here it would only add minutes.
    api = await startTestApi({ env: { AUTH_UNIFORM_RESPONSE_MS: '0' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('every input is bounded (strings, arrays, list limits)', () => {
    expect(entries.flatMap(unboundedFields)).toEqual([]);
  });

  it(`never a 5xx, never a hang, invalid input is a 400 with issues (${NUM_RUNS} runs each)`, async () => {
    expect(entries.length).toBeGreaterThan(0);
    const target = fuzzTargetFor(api);
    const startedAt = Date.now();
    const stats = await fuzzAll(target, entries);
    report('fuzz (appRouter)', stats, startedAt);
    expectCoverage(stats, entries, target);
  }, 600_000);
});
