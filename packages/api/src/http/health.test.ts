import { freePort } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../test/harness.js';

describe('health endpoints', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('/healthz answers while the process lives', async () => {
    const res = await fetch(`${api.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz checks PostgreSQL and Redis', async () => {
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('echoes a sane x-request-id and replaces an unsafe one', async () => {
    const kept = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'lb-1234' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-1234');
    const replaced = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('unknown routes and procedures answer with the one error shape', async () => {
    const route = await fetch(`${api.url}/nope`);
    expect(route.status).toBe(404);
    const body = await route.json();
    expect(body).toEqual({
      code: 'NOT_FOUND',
      message: expect.any(String),
      requestId: route.headers.get('x-request-id'),
    });

    const procedure = await fetch(`${api.url}/trpc/nope.nothing`);
    expect(procedure.status).toBe(404);
    const rpc = (await procedure.json()) as { error: { data: unknown } };
    expect(rpc.error.data).toMatchObject({
      code: 'NOT_FOUND',
      httpStatus: 404,
      requestId: procedure.headers.get('x-request-id'),
    });
    expect(JSON.stringify(rpc)).not.toContain('stack');
  });
});

describe('readiness when PostgreSQL is unreachable', () => {
  let api: TestApi;
  beforeAll(async () => {
    const closedPort = await freePort();
    api = await startTestApi({ env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/inkwell` } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('/readyz turns 503 naming postgres, and the process keeps serving', async () => {
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'fail', redis: 'ok' } });
    const alive = await fetch(`${api.url}/healthz`);
    expect(alive.status).toBe(200);
  });
});

describe('readiness during shutdown', () => {
  it('/readyz fails as soon as shutdown begins', async () => {
    const api = await startTestApi();
    const slow = fetch(`${api.url}/readyz`);
    expect((await slow).status).toBe(200);
    const stopping = api.server.stop();
    await stopping;
    await expect(fetch(`${api.url}/readyz`)).rejects.toThrow();
    await api.close();
  });
});
