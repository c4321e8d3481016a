import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser } from '../../api/src/test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../api/src/test/harness.js';
import {
  createInkwellClient,
  isInkwellError,
  memoryTokenStore,
  onSessionChange,
  type SessionChange,
} from '../src/index.js';

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

/** A client whose refresh calls and refused (401) answers are counted at the fetch level. */
function countingClient() {
  const counts = { refresh: 0, unauthorized: 0 };
  const tokenStore = memoryTokenStore();
  const client = createInkwellClient({
    url: `${api.url}/trpc`,
    tokenStore,
    fetch: async (input, init) => {
      if (String(input).includes('auth.refresh')) counts.refresh += 1;
      const response = await fetch(input, init);
      if (response.status === 401) counts.unauthorized += 1;
      return response;
    },
  });
  const changes: SessionChange[] = [];
  onSessionChange(client, (change) => changes.push(change));
  const logouts = () => changes.filter((change) => change.type === 'refresh-rejected');
  return { client, tokenStore, changes, logouts, counts };
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

  it('a revoked session ends in one refresh-rejected change and an empty store', async () => {
    const user = await createSignedInUser(api);
    const { client, tokenStore, logouts, counts, changes } = countingClient();
    await client.auth.login.mutate({ email: user.email, password: user.password });
    await expect(client.auth.me.query()).resolves.toMatchObject({ id: user.userId });
    expect(changes).toEqual([{ type: 'signed-in' }]);

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
    expect(logouts()).toHaveLength(1);
    const [logout] = logouts();
    expect(logout?.type === 'refresh-rejected' && isInkwellError(logout.error, 'UNAUTHORIZED')).toBe(true);
  });

  it('refreshes ahead of expiry: no call is refused on the way', async () => {
    const user = await createSignedInUser(api);
    const { client, tokenStore, counts } = countingClient();
    const login = await client.auth.login.mutate({ email: user.email, password: user.password });
    const refreshAt = (await tokenStore.get())?.refreshAt ?? 0;
    // 80% of the 1 s lifetime, measured on this machine from the answer's arrival.
    expect(refreshAt).toBeGreaterThan(Date.now() - 1_000);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, refreshAt - Date.now()) + 50));
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.auth.me.query()));

    expect(answers.map((me) => me.id)).toEqual(Array(5).fill(user.userId));
    expect(counts).toEqual({ refresh: 1, unauthorized: 0 });
    expect((await tokenStore.get())?.accessToken).not.toBe(login.accessToken);
  });

  it('clients do not share tokens: two users in one process (one client per request on a server)', async () => {
    const [ada, bob] = await Promise.all([createSignedInUser(api), createSignedInUser(api)]);
    const forAda = countingClient();
    const forBob = countingClient();
    await Promise.all([
      forAda.client.auth.login.mutate({ email: ada.email, password: ada.password }),
      forBob.client.auth.login.mutate({ email: bob.email, password: bob.password }),
    ]);
    const anonymous = countingClient();

    const [meAda, meBob, nobody] = await Promise.all([
      forAda.client.auth.me.query(),
      forBob.client.auth.me.query(),
      anonymous.client.auth.me.query().catch((error: unknown) => error),
    ]);

    expect([meAda.id, meBob.id]).toEqual([ada.userId, bob.userId]);
    expect(isInkwellError(nobody, 'UNAUTHORIZED')).toBe(true);
    // The anonymous client had nothing to refresh with: it did not try.
    expect(anonymous.counts.refresh).toBe(0);
  });
});
