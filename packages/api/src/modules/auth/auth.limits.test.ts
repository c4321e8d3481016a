import { randomBytes } from 'node:crypto';
import { startScratchRedis } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTrpc, createSignedInUser } from '../../test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../test/harness.js';

const unique = () => randomBytes(5).toString('hex');

describe('auth rate limits (Redis-backed, real HTTP)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      env: {
        AUTH_UNIFORM_RESPONSE_MS: '0',
        RATE_LIMIT_LOGIN_IP: '15/900',
        RATE_LIMIT_REGISTER_ADDRESS: '3/3600',
        RATE_LIMIT_PASSWORD_RESET_ADDRESS: '3/3600',
        RATE_LIMIT_RESEND_VERIFICATION_ADDRESS: '3/3600',
      },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const expectTooMany = (res: Awaited<ReturnType<typeof callTrpc>>) => {
    expect(res.status).toBe(429);
    expect(res.error?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  };

  it('the 11th rapid failed login of an account gets 429 with Retry-After, even with the right password', async () => {
    const user = await createSignedInUser(api);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const res = await callTrpc(api, 'auth.login', {
        input: { email: user.email, password: `wrong password ${attempt}` },
      });
      expect(res.status).toBe(401);
    }
    const eleventh = await callTrpc(api, 'auth.login', { input: { email: user.email, password: 'wrong password 11' } });
    expectTooMany(eleventh);
    expect(Number(eleventh.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    expectTooMany(
      await callTrpc(api, 'auth.login', { input: { email: user.email.toUpperCase(), password: user.password } }),
    );
    // Another account is not affected by this one's counter.
    const other = await createSignedInUser(api);
    expect(
      (await callTrpc(api, 'auth.login', { input: { email: other.email, password: other.password } })).status,
    ).toBe(200);
  });

  it('failed logins also count per IP, across accounts', async () => {
    // 10 failures above were from this IP too; 5 more exhaust the per-IP limit of 15.
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const res = await callTrpc(api, 'auth.login', {
        input: { email: `nobody_${unique()}@example.com`, password: 'not a real password' },
      });
      expect(res.status).toBe(401);
    }
    expectTooMany(
      await callTrpc(api, 'auth.login', {
        input: { email: `nobody_${unique()}@example.com`, password: 'not a real password' },
      }),
    );
  });

  it('register, resend-verification and password-reset are limited per address', async () => {
    const email = `limited_${unique()}@example.com`;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const res = await callTrpc(api, 'auth.register', {
        input: { email, username: `lim_${unique()}`, displayName: 'Lim', password: 'long enough secret' },
      });
      expect(res.status).toBe(200);
    }
    expectTooMany(
      await callTrpc(api, 'auth.register', {
        input: {
          email: email.toUpperCase(),
          username: `lim_${unique()}`,
          displayName: 'Lim',
          password: 'long enough secret',
        },
      }),
    );
    for (const path of ['auth.resendVerification', 'auth.requestPasswordReset']) {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        expect((await callTrpc(api, path, { input: { email } })).status).toBe(200);
      }
      expectTooMany(await callTrpc(api, path, { input: { email } }));
      // A different address is still served.
      expect((await callTrpc(api, path, { input: { email: `other_${unique()}@example.com` } })).status).toBe(200);
    }
  });

  it('per-IP limits on register', async () => {
    const perIp = await startTestApi({ env: { RATE_LIMIT_REGISTER_IP: '2/3600' } });
    try {
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        // Fresh addresses each time: only the per-IP counter can trip.
        const res = await callTrpc(perIp, 'auth.register', {
          input: {
            email: `ip_${unique()}@example.com`,
            username: `ip_${unique()}`,
            displayName: 'Ip',
            password: 'long enough secret',
          },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await perIp.close();
    }
  });
});

describe('auth rate limits under concurrent attempts', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { AUTH_UNIFORM_RESPONSE_MS: '0', RATE_LIMIT_LOGIN_IP: '1000/900' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('30 concurrent wrong-password logins for one account: at most 10 reach the password check, the rest 429', async () => {
    const user = await createSignedInUser(api);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, attempt) =>
        callTrpc(api, 'auth.login', { input: { email: user.email, password: `wrong password ${attempt}` } }),
      ),
    );
    const statuses = results.map((res) => res.status);
    // 401 comes only after the password was verified; 429 before.
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
  });

  it('a correct login after a few failures works and resets the account counter', async () => {
    const user = await createSignedInUser(api);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const res = await callTrpc(api, 'auth.login', { input: { email: user.email, password: `wrong ${attempt}` } });
      expect(res.status).toBe(401);
    }
    const ok = await callTrpc(api, 'auth.login', { input: { email: user.email, password: user.password } });
    expect(ok.status).toBe(200);
    // The counter starts over: 10 more failures are each checked (401), the 11th is refused.
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const res = await callTrpc(api, 'auth.login', { input: { email: user.email, password: `again ${attempt}` } });
      expect(res.status).toBe(401);
    }
    expect((await callTrpc(api, 'auth.login', { input: { email: user.email, password: 'again 11' } })).status).toBe(
      429,
    );
  });

  it('20 concurrent wrong current passwords in changePassword: at most 10 are checked, the rest 429', async () => {
    const user = await createSignedInUser(api);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, attempt) =>
        callTrpc(api, 'auth.changePassword', {
          input: { currentPassword: `wrong password ${attempt}`, newPassword: 'a brand new long password' },
          headers: user.authHeader,
        }),
      ),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 400).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((status) => status !== 400 && status !== 429)).toEqual([]);
  });
});

describe('auth rate limits fail closed when Redis is down', () => {
  it('answers 503 instead of letting attempts through unlimited, and recovers', async () => {
    const redis = await startScratchRedis();
    const api = await startTestApi({ env: { REDIS_URL: redis.url } });
    try {
      const user = await createSignedInUser(api);
      expect(
        (await callTrpc(api, 'auth.login', { input: { email: user.email, password: user.password } })).status,
      ).toBe(200);
      await redis.kill();
      const down = await callTrpc(api, 'auth.login', { input: { email: user.email, password: user.password } });
      expect(down.status).toBe(503);
      expect(down.error?.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      const register = await callTrpc(api, 'auth.requestPasswordReset', { input: { email: user.email } });
      expect(register.status).toBe(503);
      await redis.start();
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await callTrpc(api, 'auth.login', { input: { email: user.email, password: user.password } })).status;
      }
      expect(status).toBe(200);
    } finally {
      await api.close();
      await redis.kill();
    }
  });
});
