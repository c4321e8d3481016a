import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTrpc, createSignedInUser, type SignedInUser } from '../../test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

const unique = () => randomBytes(5).toString('hex');
const TRIES = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Known and unknown cases, interleaved (so CPU contention hits both alike), must give the same
 * answer and comparable timing: medians within 25% of each other over 20 tries each.
 */
async function compare(
  known: (attempt: number) => Promise<Awaited<ReturnType<typeof callTrpc>>>,
  unknown: (attempt: number) => Promise<Awaited<ReturnType<typeof callTrpc>>>,
) {
  const times = { known: [] as number[], unknown: [] as number[] };
  const answers = new Set<string>();
  for (let attempt = 0; attempt < TRIES; attempt += 1) {
    for (const [name, run] of attempt % 2
      ? ([
          ['unknown', unknown],
          ['known', known],
        ] as const)
      : ([
          ['known', known],
          ['unknown', unknown],
        ] as const)) {
      const started = performance.now();
      const res = await run(attempt);
      times[name].push(performance.now() - started);
      answers.add(
        JSON.stringify({ status: res.status, data: res.data, code: res.error?.data.code, message: res.error?.message }),
      );
    }
  }
  const medians = { known: median(times.known), unknown: median(times.unknown) };
  const ratio = Math.max(medians.known, medians.unknown) / Math.min(medians.known, medians.unknown);
  return { answers, medians, ratio };
}

describe('no account enumeration (answers and timing, real HTTP)', () => {
  let api: TestApi;
  let user: SignedInUser;
  const report: Record<string, unknown> = {};
  beforeAll(async () => {
    api = await startTestApi({
      env: {
        RATE_LIMIT_LOGIN_ACCOUNT: '1000/900',
        RATE_LIMIT_LOGIN_IP: '1000/900',
        RATE_LIMIT_REGISTER_IP: '1000/3600',
        RATE_LIMIT_REGISTER_ADDRESS: '1000/3600',
        RATE_LIMIT_PASSWORD_RESET_IP: '1000/3600',
        RATE_LIMIT_PASSWORD_RESET_ADDRESS: '1000/3600',
      },
    });
    user = await createSignedInUser(api);
    // Warm-up: the dummy hash is computed once per process.
    await callTrpc(api, 'auth.login', {
      input: { email: `warm_${unique()}@example.com`, password: 'warming up the cache' },
    });
  });
  afterAll(async () => {
    console.info('enumeration timing medians (ms):', JSON.stringify(report));
    await api?.close();
  });

  it('login: unknown email vs known email with a wrong password', async () => {
    const result = await compare(
      () => callTrpc(api, 'auth.login', { input: { email: user.email, password: 'a wrong password' } }),
      () =>
        callTrpc(api, 'auth.login', {
          input: { email: `ghost_${unique()}@example.com`, password: 'a wrong password' },
        }),
    );
    report.login = result.medians;
    expect(result.answers.size).toBe(1);
    expect([...result.answers][0]).toContain('"status":401');
    expect(result.ratio).toBeLessThanOrEqual(1.25);
  });

  it('register: taken email vs fresh email', async () => {
    const result = await compare(
      () =>
        callTrpc(api, 'auth.register', {
          input: {
            email: user.email.toUpperCase(),
            username: `taken_${unique()}`,
            displayName: 'T',
            password: 'a fine long password',
          },
        }),
      () =>
        callTrpc(api, 'auth.register', {
          input: {
            email: `fresh_${unique()}@example.com`,
            username: `fresh_${unique()}`,
            displayName: 'F',
            password: 'a fine long password',
          },
        }),
    );
    report.register = result.medians;
    expect(result.answers.size).toBe(1);
    expect(result.ratio).toBeLessThanOrEqual(1.25);
  });

  it('password reset: known vs unknown email', async () => {
    const result = await compare(
      () => callTrpc(api, 'auth.requestPasswordReset', { input: { email: user.email } }),
      () => callTrpc(api, 'auth.requestPasswordReset', { input: { email: `ghost_${unique()}@example.com` } }),
    );
    report.passwordReset = result.medians;
    expect(result.answers.size).toBe(1);
    expect(result.ratio).toBeLessThanOrEqual(1.25);
  });
});
