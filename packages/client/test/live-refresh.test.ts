import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser } from '../../api/src/test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../api/src/test/harness.js';
import { createInkwellClient, isInkwellError, type LogoutEvent, memoryTokenStore } from '../src/index.js';

const ACCESS_TOKEN_TTL_SECONDS = 1;
// The api accepts access tokens up to 5 s past `exp` (clock tolerance): wait past both.
const EXPIRY_WAIT_MS = (ACCESS_TOKEN_TTL_SECONDS + 5 + 1) * 1000;

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ env: { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) } });
});
afterAll(async () => {
  await api?.close();
});

/** A client whose refresh calls are counted at the fetch level. */
function countingClient() {
  const counts = { refresh: 0 };
  const tokenStore = memoryTokenStore();
  const logouts: LogoutEvent[] = [];
  const client = createInkwellClient({
    url: `${api.url}/trpc`,
    tokenStore,
    onLogout: (event) => logouts.push(event),
    fetch: (input, init) => {
      if (String(input).includes('auth.refresh')) counts.refresh += 1;
      return fetch(input, init);
    },
  });
  return { client, tokenStore, logouts, counts };
}

describe('token refresh against the real api', () => {
  it('concurrent calls with an expired access token share exactly one refresh', async () => {
    const user = await createSignedInUser(api);
    const { client, tokenStore, counts } = countingClient();
    const login = await client.auth.login.mutate({ email: user.email, password: user.password });
    expect((await tokenStore.get())?.accessToken).toBe(login.accessToken);

    await new Promise((resolve) => setTimeout(resolve, EXPIRY_WAIT_MS));
    const batched = Array.from({ length: 5 }, () => client.auth.me.query());
    const spread = Array.from({ length: 5 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 20));
      return client.auth.me.query();
    });
    const answers = await Promise.all([...batched, ...spread]);

    expect(answers.map((me) => me.id)).toEqual(Array(10).fill(user.userId));
    expect(counts.refresh).toBe(1);
    const stored = await tokenStore.get();
    expect(stored?.accessToken).not.toBe(login.accessToken);
    expect(stored?.refreshToken).not.toBe(login.refreshToken);
  }, 60_000);

  it('a revoked session ends in one onLogout and an empty store', async () => {
    const user = await createSignedInUser(api);
    const { client, tokenStore, logouts, counts } = countingClient();
    await client.auth.login.mutate({ email: user.email, password: user.password });
    await expect(client.auth.me.query()).resolves.toMatchObject({ id: user.userId });

    // Another device signs the user out everywhere: this client's session family is revoked.
    const other = countingClient();
    await other.client.auth.login.mutate({ email: user.email, password: user.password });
    await other.client.auth.logoutAll.mutate();
    expect(await other.tokenStore.get()).toBeNull();

    const settled = await Promise.allSettled([client.auth.me.query(), client.auth.sessions.query()]);

    expect(settled.map((s) => s.status === 'rejected' && isInkwellError(s.reason, 'UNAUTHORIZED'))).toEqual([
      true,
      true,
    ]);
    expect(counts.refresh).toBe(1);
    expect(await tokenStore.get()).toBeNull();
    expect(logouts).toHaveLength(1);
    expect(isInkwellError(logouts[0]?.error, 'UNAUTHORIZED')).toBe(true);
  });
});
