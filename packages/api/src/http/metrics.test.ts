import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../test/harness.js';
import { type Family, parseExposition, sumOf } from '../test/prometheus.js';
import { testRouter } from '../test/test-router.js';

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Family[]> {
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parseExposition(await res.text());
}

function family(families: Family[], name: string): Family {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`metric ${name} not exposed`);
  return found;
}

describe('/metrics on the main port', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ router: testRouter });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('parses as Prometheus text and names follow the conventions', async () => {
    const families = await scrape(api.url);
    const names = families.map((f) => f.name);
    for (const name of names) expect(name).toMatch(/^inkwell_[a-z0-9_]+$/);
    for (const f of families.filter((x) => x.type === 'counter')) expect(f.name).toMatch(/_total$/);
    // Base units: durations in seconds, sizes in bytes.
    for (const name of names.filter((n) => /duration|lag|time/.test(n))) expect(name).toMatch(/_seconds(_total)?$/);
    expect(names).toEqual(
      expect.arrayContaining([
        'inkwell_http_request_duration_seconds',
        'inkwell_http_requests_in_flight',
        'inkwell_trpc_procedure_duration_seconds',
        'inkwell_cache_requests_total',
        'inkwell_db_pool_connections',
        'inkwell_db_pool_pending_acquires',
        'inkwell_nodejs_eventloop_lag_seconds',
        'inkwell_nodejs_eventloop_lag_p99_seconds',
        'inkwell_process_resident_memory_bytes',
      ]),
    );
    expect(family(families, 'inkwell_trpc_procedure_duration_seconds').type).toBe('histogram');
  });

  it('counters move after traffic: procedures by path and code, HTTP by route, pool, cache', async () => {
    const before = await scrape(api.url);
    const ok = { procedure: 'list', type: 'query', code: 'OK' };
    const invalid = { procedure: 'echo', type: 'mutation', code: 'BAD_REQUEST' };
    const failed = { procedure: 'boom', type: 'query', code: 'INTERNAL_SERVER_ERROR' };

    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${api.url}/trpc/list?input=${encodeURIComponent(JSON.stringify({ limit: 2 }))}`);
      expect(res.status).toBe(200);
    }
    const bad = await fetch(`${api.url}/trpc/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: '' }),
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${api.url}/trpc/boom`)).status).toBe(500);
    // A REST call runs the same procedure and is counted under its tRPC path.
    const viaRest = await fetch(`${api.url}/api/test/items?limit=2`);
    expect(viaRest.status).toBe(200);
    // A batch counts each call under its own path.
    const batch = await fetch(`${api.url}/trpc/list,list?batch=1&input=${encodeURIComponent('{"0":{},"1":{}}')}`);
    expect(batch.status).toBe(200);
    // The cache middleware's API: one typed counter.
    api.deps.metrics.cacheRequests.inc({ procedure: 'posts.byId', result: 'hit' });
    api.deps.metrics.cacheRequests.inc({ procedure: 'posts.byId', result: 'miss' }, 2);
    // Something that holds a pooled connection, so the pool gauges have a connection to show.
    await api.deps.orm.em.getConnection().execute('select 1');

    const after = await scrape(api.url);
    const count = 'inkwell_trpc_procedure_duration_seconds_count';
    expect(sumOf(after, count, ok) - sumOf(before, count, ok)).toBe(6);
    expect(sumOf(after, count, invalid) - sumOf(before, count, invalid)).toBe(1);
    expect(sumOf(after, count, failed) - sumOf(before, count, failed)).toBe(1);

    const http = 'inkwell_http_request_duration_seconds_count';
    const trpc200 = { method: 'GET', route: '/trpc', status_code: '200' };
    expect(sumOf(after, http, trpc200) - sumOf(before, http, trpc200)).toBe(4);
    expect(sumOf(after, http, { route: '/api', status_code: '200' })).toBe(1);
    expect(sumOf(after, http, { route: '/trpc', status_code: '500' })).toBeGreaterThanOrEqual(1);
    // The scrape in `before` itself was timed under its own route.
    expect(sumOf(after, http, { route: '/metrics' })).toBeGreaterThanOrEqual(1);

    expect(sumOf(after, 'inkwell_cache_requests_total', { procedure: 'posts.byId', result: 'hit' })).toBe(1);
    expect(sumOf(after, 'inkwell_cache_requests_total', { procedure: 'posts.byId', result: 'miss' })).toBe(2);
    const pool = sumOf(after, 'inkwell_db_pool_connections', { state: 'used' });
    const free = sumOf(after, 'inkwell_db_pool_connections', { state: 'free' });
    expect(pool + free).toBeGreaterThanOrEqual(1);
    expect(sumOf(after, 'inkwell_db_pool_pending_acquires')).toBe(0);
    // The scrape request itself is the one in flight while it is collected.
    expect(sumOf(after, 'inkwell_http_requests_in_flight')).toBe(1);
    expect(sumOf(after, 'inkwell_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
  });

  it('shows requests in flight while they run', async () => {
    const slow = fetch(`${api.url}/trpc/slow?input=${encodeURIComponent(JSON.stringify({ ms: 1_500 }))}`);
    let inFlight = 0;
    for (let attempt = 0; attempt < 20 && inFlight < 2; attempt++) {
      inFlight = sumOf(await scrape(api.url), 'inkwell_http_requests_in_flight');
    }
    expect(inFlight).toBe(2);
    expect((await slow).status).toBe(200);
  });
});

describe('/metrics protection', () => {
  const token = 'metrics-token-0123456789';
  let guarded: TestApi;
  let separate: TestApi;
  beforeAll(async () => {
    guarded = await startTestApi({ env: { METRICS_TOKEN: token } });
    separate = await startTestApi({ env: { METRICS_PORT: '0' }, shareWith: guarded });
  });
  afterAll(async () => {
    await separate?.close();
    await guarded?.close();
  });

  it('METRICS_TOKEN: a bearer token is required, compared exactly', async () => {
    const none = await fetch(`${guarded.url}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED', requestId: none.headers.get('x-request-id') });
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    const families = await scrape(guarded.url, { authorization: `Bearer ${token}` });
    expect(families.length).toBeGreaterThan(10);
  });

  it('METRICS_PORT: served only on its own listener, not on the main port', async () => {
    expect((await fetch(`${separate.url}/metrics`)).status).toBe(404);
    const metricsUrl = separate.server.metrics?.url;
    expect(metricsUrl).toBeDefined();
    const families = await scrape(String(metricsUrl));
    expect(families.map((f) => f.name)).toContain('inkwell_http_request_duration_seconds');
    expect((await fetch(`${metricsUrl}/trpc/anything`)).status).toBe(404);
  });
});

describe('the exposition check itself', () => {
  it('rejects malformed exposition text', () => {
    const ok = '# TYPE a_total counter\na_total{x="1"} 2\n';
    expect(parseExposition(ok)[0]?.samples[0]).toEqual({ name: 'a_total', labels: { x: '1' }, value: 2 });
    expect(() => parseExposition('a_total 1\n')).toThrow(/without a declared family/);
    expect(() => parseExposition('# TYPE a_total counter\na_total{x="1} 2\n')).toThrow();
    expect(() => parseExposition('# TYPE a_total counter\na_total{x="1"} two\n')).toThrow(/bad value/);
    expect(() =>
      parseExposition('# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'),
    ).toThrow(/cumulative/);
    expect(() => parseExposition('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n')).toThrow(
      /split|TYPE after/,
    );
  });
});
