import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApi, type TestApi } from '../test/harness.js';
import { widgetsRouter } from '../test/widgets-router.js';
import { createApp } from './app.js';
import { createLifecycle } from './lifecycle.js';
import { buildOpenApiDocument } from './openapi.js';

const jsonObject = z.record(z.string(), z.unknown());

describe('REST adapter (/api)', () => {
  let api: TestApi;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    api = await startTestApi({ env: { HTTP_MAX_BODY_BYTES: '2048' } });
    server = createApp(api.deps, createLifecycle(), widgetsRouter).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await api?.close();
  });

  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(`${base}/api${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers 201 with the created resource for procedures marked `created`', async () => {
    const res = await post('/widgets', { name: 'gear' }, 'application/json; charset=utf-8');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: '0192f0c4-5b7e-7a4e-9c1d-3f2a1b0c9d8e', name: 'gear' });
  });

  it('answers deletions 200 with { id, deleted: true }', async () => {
    const id = '0192f0c4-5b7e-7a4e-9c1d-3f2a1b0c9d8e';
    const res = await fetch(`${base}/api/widgets/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, deleted: true });
  });

  it('lists every invalid field of a validation error in the one error shape', async () => {
    const res = await post('/widgets', { name: '', tags: ['toolong'], extra: 1 });
    expect(res.status).toBe(400);
    const body = jsonObject.parse(await res.json());
    expect(body).toEqual({
      code: 'BAD_REQUEST',
      message: 'Invalid input',
      requestId: res.headers.get('x-request-id'),
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'name', code: 'too_small' }),
        expect.objectContaining({ path: 'tags.0', code: 'too_big' }),
        expect.objectContaining({ path: '', code: 'unrecognized_keys' }),
      ]),
    });
    expect(Object.keys(body).sort()).toEqual(['code', 'issues', 'message', 'requestId']);
  });

  it('maps tRPC codes to HTTP statuses with the one error shape', async () => {
    const id = '0192f0c4-5b7e-7a4e-9c1d-3f2a1b0c9d8e';
    const cases: [Promise<Response>, number, Record<string, unknown>][] = [
      [fetch(`${base}/api/widgets/${id}`), 404, { code: 'NOT_FOUND', message: 'No such widget' }],
      [fetch(`${base}/api/my-widgets`), 401, { code: 'UNAUTHORIZED', message: 'Sign in to do this' }],
      [
        fetch(`${base}/api/locked-widget`, { method: 'POST' }),
        403,
        { code: 'FORBIDDEN', message: 'Verify first', reason: 'EMAIL_NOT_VERIFIED' },
      ],
      [fetch(`${base}/api/nothing-here`), 404, { code: 'NOT_FOUND' }],
      [post('/widgets', 'name=x', 'text/plain'), 415, { code: 'UNSUPPORTED_MEDIA_TYPE' }],
    ];
    for (const [response, status, expected] of cases) {
      const res = await response;
      expect(res.status).toBe(status);
      const body = jsonObject.parse(await res.json());
      expect(body).toMatchObject({ ...expected, requestId: res.headers.get('x-request-id') });
      expect(Object.keys(body).every((key) => ['code', 'message', 'requestId', 'issues', 'reason'].includes(key))).toBe(
        true,
      );
    }
  });

  it('answers internal failures with a 500 that reveals nothing', async () => {
    for (const path of ['/broken-widget', '/bad-output-widget']) {
      const res = await fetch(`${base}/api${path}`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        message: 'Internal server error',
        requestId: res.headers.get('x-request-id'),
      });
    }
  });

  it('rejects bodies over HTTP_MAX_BODY_BYTES (REST and tRPC) with 413 and malformed JSON with 400', async () => {
    const big = await post('/widgets', { name: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const bigRpc = await fetch(`${base}/trpc/widgets.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(4096) }),
    });
    expect(bigRpc.status).toBe(413);
    const malformed = await post('/widgets', '{"name":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      code: 'BAD_REQUEST',
      requestId: malformed.headers.get('x-request-id'),
    });
  });

  it('caps tRPC batches at TRPC_MAX_BATCH_SIZE', async () => {
    const paths = (n: number) => Array.from({ length: n }, () => 'widgets.mine').join(',');
    const input = (n: number) =>
      encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]))));
    const within = await fetch(`${base}/trpc/${paths(20)}?batch=1&input=${input(20)}`);
    expect(within.status).toBe(401); // every call reached the procedure (and needs sign-in)
    const over = await fetch(`${base}/trpc/${paths(21)}?batch=1&input=${input(21)}`);
    expect(over.status).toBe(400);
  });

  it('documents 201, the error body and optional sign-in on public operations', () => {
    const document = buildOpenApiDocument(widgetsRouter, { publicUrl: 'https://inkwell.example', env: 'production' });
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([
      { url: 'https://inkwell.example/api', description: 'production server', 'x-internal': false },
    ]);
    const create = document.paths?.['/widgets']?.post;
    expect(Object.keys(create?.responses ?? {}).sort()).toEqual(['201', '400', '401', '500']);
    expect(create?.security).toEqual([{}, { bearerAuth: [] }]);
    expect(create?.responses?.['400']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    const mine = document.paths?.['/my-widgets']?.get;
    expect(mine?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(mine?.responses ?? {}).sort()).toEqual(['200', '401', '403', '500']);
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(['Error']);
    expect(document.components?.schemas?.Error).toMatchObject({ required: ['code', 'message', 'requestId'] });
  });
});
