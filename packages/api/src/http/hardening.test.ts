import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../test/harness.js';
import { testRouter } from '../test/test-router.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request with full control of headers and body (chunked when no length is given). */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; chunks?: Buffer[] },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString() }),
      );
      res.on('error', reject);
    });
    // The server may answer and close before the whole body is sent; that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** The error shape, wherever the transport put it (tRPC: `error.data`; plain HTTP: the body). */
function errorBody(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`not an object: ${text.slice(0, 200)}`);
  if ('error' in parsed && typeof parsed.error === 'object' && parsed.error !== null && 'data' in parsed.error) {
    return parsed.error.data as Record<string, unknown>;
  }
  return parsed as Record<string, unknown>;
}

function expectCleanError(res: RawResponse, status: number, code: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  const body = errorBody(res.text);
  expect(body).toMatchObject({ code, message: expect.any(String), requestId: res.headers['x-request-id'] });
  expect(res.text).not.toMatch(/stack|node_modules|at \w+ \(|SyntaxError|Unexpected token/);
  return body;
}

const json = { 'content-type': 'application/json' };
const MiB = 1_048_576;
const rss = () => process.memoryUsage().rss;
const toMiB = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

describe('request bodies and batches', () => {
  let api: TestApi;
  const memory: Record<string, { beforeMiB: number; afterMiB: number }> = {};
  beforeAll(async () => {
    // 1 MiB (the default is 100 KiB) so that a 1 MB body and 100k levels of nesting reach the parser.
    api = await startTestApi({ router: testRouter, env: { HTTP_MAX_BODY_BYTES: String(MiB) } });
  });
  afterAll(async () => {
    await api?.close();
    // Figures for the record (the assertions below hold generous bounds).
    process.stdout.write(`RSS around body tests (MiB): ${JSON.stringify(memory)}\n`);
  });

  const measured = async (name: string, run: () => Promise<void>) => {
    const before = rss();
    await run();
    const after = rss();
    memory[name] = { beforeMiB: toMiB(before), afterMiB: toMiB(after) };
    // 10 MB refused unread and 600 kB of nesting must not cost hundreds of megabytes.
    expect(after - before).toBeLessThan(150 * MiB);
  };

  it('a 1 MB JSON body within the limit is parsed and rejected by validation (400, field issues)', async () => {
    await measured('1MB', async () => {
      const body = JSON.stringify({ title: 'x'.repeat(999_900), tags: [], kind: 'draft', email: null });
      expect(body.length).toBeGreaterThan(999_000);
      const res = await rawRequest(`${api.url}/trpc/echo`, { headers: json, body });
      const error = expectCleanError(res, 400, 'BAD_REQUEST');
      expect(error.issues).toEqual([expect.objectContaining({ path: 'title', code: 'too_big' })]);
    });
  });

  it('a body one byte over HTTP_MAX_BODY_BYTES is refused with 413', async () => {
    const body = Buffer.alloc(MiB + 1, 0x20);
    const res = await rawRequest(`${api.url}/trpc/echo`, { headers: json, body });
    expectCleanError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a 10 MB body is refused with 413, declared or chunked, without reading it into memory', async () => {
    await measured('10MB', async () => {
      const declared = await rawRequest(`${api.url}/trpc/echo`, { headers: json, body: Buffer.alloc(10 * MiB, 0x20) });
      expectCleanError(declared, 413, 'PAYLOAD_TOO_LARGE');
      const chunks = Array.from({ length: 10 }, () => Buffer.alloc(MiB, 0x20));
      const chunked = await rawRequest(`${api.url}/trpc/echo`, { headers: json, chunks });
      expectCleanError(chunked, 413, 'PAYLOAD_TOO_LARGE');
      // Elsewhere than /trpc too.
      const other = await rawRequest(`${api.url}/healthz`, { headers: json, body: Buffer.alloc(10 * MiB, 0x20) });
      expectCleanError(other, 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  it('deeply nested JSON (100k levels) gets a clean 400', async () => {
    await measured('nested', async () => {
      const depth = 100_000;
      const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const inField = `{"title":"t","tags":[],"kind":"draft","email":null,"nested":{"flag":true,"note":${arrays}}}`;
      for (const body of [objects, arrays, inField]) {
        const res = await rawRequest(`${api.url}/trpc/echo`, { headers: json, body });
        expect(expectCleanError(res, 400, 'BAD_REQUEST').issues).toEqual(expect.any(Array));
      }
      const batch = await rawRequest(`${api.url}/trpc/echo,echo?batch=1`, { headers: json, body: `{"0":${objects}}` });
      expect(batch.status).toBe(400);
      expect(batch.text).not.toContain('stack');
    });
  });

  it('a 1,000-call batch is refused with 400 before any call runs', async () => {
    const before = await fetch(`${api.url}/metrics`).then((r) => r.text());
    const paths = Array.from({ length: 1_000 }, () => 'list').join(',');
    const res = await rawRequest(`${api.url}/trpc/${paths}?batch=1`, { method: 'GET' });
    expect(res.status).toBe(400);
    const rpc: unknown = JSON.parse(res.text);
    const errors = Array.isArray(rpc) ? rpc : [rpc];
    expect(errors[0]).toMatchObject({
      error: { data: { code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' } },
    });
    const after = await fetch(`${api.url}/metrics`).then((r) => r.text());
    const listCalls = (text: string) =>
      Number(/inkwell_trpc_procedure_duration_seconds_count\{procedure="list"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    expect(listCalls(after)).toBe(listCalls(before));
    // A batch within MAX_BATCH_SIZE (default 20) works.
    const ok = await fetch(`${api.url}/trpc/${Array(20).fill('whoami').join(',')}?batch=1&input={}`);
    expect(ok.status).toBe(200);
  });

  it('malformed JSON is a 400 that does not echo the parser message', async () => {
    for (const body of ['{"title": ', '{title: 1}', 'null null', '\u0000\u0001']) {
      const res = await rawRequest(`${api.url}/trpc/echo`, { headers: json, body });
      const error = expectCleanError(res, 400, 'BAD_REQUEST');
      expect(error.message).toBe('Malformed JSON body');
    }
    const query = await rawRequest(`${api.url}/trpc/list?input=%7Bnope`, { method: 'GET' });
    expect(expectCleanError(query, 400, 'BAD_REQUEST').message).toBe('Malformed JSON body');
  });

  it('wrong content types get a clean 4xx', async () => {
    const body = JSON.stringify({ title: 't', tags: [], kind: 'draft', email: null });
    const unsupported = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'image/png'];
    for (const type of unsupported) {
      const res = await rawRequest(`${api.url}/trpc/echo`, { headers: { 'content-type': type }, body });
      expectCleanError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const none = await rawRequest(`${api.url}/trpc/echo`, { body });
    expectCleanError(none, 415, 'UNSUPPORTED_MEDIA_TYPE');
    // Parsable but not what the procedure takes: validation answers.
    for (const type of ['multipart/form-data; boundary=x', 'application/octet-stream']) {
      const res = await rawRequest(`${api.url}/trpc/echo`, {
        headers: { 'content-type': type },
        body: '--x\r\ncontent-disposition: form-data; name="title"\r\n\r\nt\r\n--x--\r\n',
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(errorBody(res.text)).toMatchObject({ code: expect.any(String), requestId: res.headers['x-request-id'] });
    }
  });
});

describe('errors reveal nothing', () => {
  let api: TestApi;
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    api = await startTestApi({ router: testRouter, logger: pino({ level: 'error' }, sink) });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('with the default limit (100 KiB) a 1 MB body is refused with 413', async () => {
    expect(api.config.limits.maxBodyBytes).toBe(102_400);
    const body = JSON.stringify({ title: 'x'.repeat(1_000_000) });
    expectCleanError(await rawRequest(`${api.url}/trpc/echo`, { headers: json, body }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a raw Error with SQL in it is a 500 with the one shape; the log has the cause and the request id', async () => {
    const cases = [
      { url: `${api.url}/trpc/boom`, status: 500 },
      { url: `${api.url}/trpc/boom,whoami?batch=1&input={}`, status: 207 },
    ];
    for (const { url, status } of cases) {
      const res = await fetch(url);
      const text = await res.text();
      expect(res.status).toBe(status);
      const requestId = res.headers.get('x-request-id');
      expect(text).not.toMatch(/select|password_hash|relation|stack|\.ts:\d+/i);
      const rpc: unknown = JSON.parse(text);
      const first = Array.isArray(rpc) ? rpc[0] : rpc;
      expect(first).toEqual({
        error: {
          message: 'Internal server error',
          code: -32603,
          data: {
            code: 'INTERNAL_SERVER_ERROR',
            message: 'Internal server error',
            requestId,
            httpStatus: 500,
            path: 'boom',
          },
        },
      });
      const logged = logLines.find((line) => line.includes(String(requestId)) && line.includes('password_hash'));
      expect(logged).toBeDefined();
    }
  });
});

describe('headers, CORS and proxies', () => {
  const allowed = 'https://app.inkwell.test';
  let api: TestApi;
  let proxied: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ router: testRouter, env: { CORS_ORIGINS: `${allowed}, https://admin.inkwell.test/` } });
    proxied = await startTestApi({ router: testRouter, env: { TRUST_PROXY: '1' }, shareWith: api });
  });
  afterAll(async () => {
    await proxied?.close();
    await api?.close();
  });

  it('helmet headers on, x-powered-by off', async () => {
    const res = await fetch(`${api.url}/healthz`);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('a listed origin gets CORS with credentials, a preflight included', async () => {
    const res = await fetch(`${api.url}/trpc/whoami`, { headers: { origin: allowed } });
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(res.headers.get('vary')).toContain('Origin');

    const preflight = await fetch(`${api.url}/trpc/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://admin.inkwell.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.inkwell.test');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
  });

  it('any other origin gets no CORS headers at all, and never credentials', async () => {
    for (const origin of ['https://evil.test', 'https://app.inkwell.test.evil.test', 'null']) {
      const res = await fetch(`${api.url}/trpc/whoami`, { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const preflight = await fetch(`${api.url}/trpc/echo`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('TRUST_PROXY counts hops: 0 ignores X-Forwarded-For, 1 takes the nearest proxy’s client', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' };
    const ipOf = async (base: string) => {
      const res = await fetch(`${base}/trpc/whoami`, { headers });
      const body = (await res.json()) as { result: { data: { ip: string } } };
      return body.result.data.ip;
    };
    expect(await ipOf(api.url)).toMatch(/127\.0\.0\.1$/);
    expect(await ipOf(proxied.url)).toBe('198.51.100.7');
  });
});

describe('request timeout', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ router: testRouter, env: { REQUEST_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 503 with the error shape when a request outlives REQUEST_TIMEOUT_MS, and keeps serving', async () => {
    const res = await rawRequest(`${api.url}/trpc/slow?input=${encodeURIComponent('{"ms":1500}')}`, { method: 'GET' });
    const body = expectCleanError(res, 503, 'SERVICE_UNAVAILABLE');
    expect(body.message).toMatch(/too long/);
    expect(res.headers.connection).toBe('close');
    // The abandoned handler finishes later without taking the process down.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const quick = await fetch(`${api.url}/trpc/slow?input=${encodeURIComponent('{"ms":1}')}`);
    expect(quick.status).toBe(200);
  });
});
