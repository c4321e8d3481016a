import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { QueryCache } from '../cache/query-cache.js';
import type { ApiMetrics } from '../metrics.js';
import type { Lifecycle } from './lifecycle.js';
import { assignRequestId } from './request-id.js';

/** A cached procedure the fast path may answer, over tRPC and (optionally) REST. */
export interface FastPathRoute {
  /** tRPC path, e.g. `posts.byId`; the cache key is built from it as in the middleware. */
  procedure: string;
  /** The procedure's input schema, so the key hashes the same parsed input. */
  input: z.ZodType;
  /** The REST path with one `{param}` segment, mount point included, e.g. `/api/posts/{id}`. */
  rest?: string;
}

export interface FastPathOptions {
  cache: QueryCache;
  routes: readonly FastPathRoute[];
  /** Headers every normal response carries (helmet's), computed once. */
  staticHeaders: OutgoingHttpHeaders;
  lifecycle: Lifecycle;
  /** HTTP request metrics: fast answers are counted like any other (route `/trpc` or `/api`). */
  metrics: Pick<ApiMetrics, 'httpRequestDuration'>;
  /** The full application (express), for everything the fast path does not answer itself. */
  fallback: RequestListener;
}

interface RestPattern {
  prefix: string;
  suffix: string;
  param: string;
  route: FastPathRoute;
}

function restPattern(route: FastPathRoute): RestPattern | null {
  if (!route.rest) return null;
  const match = /^(.*\/)\{(\w+)\}(\/.*)?$/.exec(route.rest);
  if (!match?.[1] || !match[2]) throw new Error(`fast path: unsupported REST path ${route.rest}`);
  return { prefix: match[1], param: match[2], suffix: match[3] ?? '', route };
}

const TRPC_PREFIX = '/trpc/';
const MAX_REMEMBERED_URLS = 10_000;

/**
 * Answers cache hits of anonymous, single, non-batched GETs of the listed procedures before
 * express and the tRPC/REST adapters run, with the bytes those adapters would send: the stored
 * payload in the tRPC envelope, or as it is for REST. Same key, same tag check (one Redis round
 * trip), same entries as the `cached` middleware. Anything else — credentials, cookies, an
 * Origin (CORS), `trpc-accept`, batches, other methods or paths, a miss, a Redis error, shutting
 * down — goes to `fallback` untouched.
 */
export function createFastPath(options: FastPathOptions): RequestListener {
  const { cache, fallback, lifecycle } = options;
  const byTrpcPath = new Map(options.routes.map((route) => [`${TRPC_PREFIX}${route.procedure}`, route]));
  const restPatterns = options.routes.flatMap((route) => restPattern(route) ?? []);
  const staticHeaders = options.staticHeaders;
  // tRPC's adapter adds its Vary to whatever the header middlewares set (e.g. CORS's Origin).
  const trpcVary = [staticHeaders.vary, 'trpc-accept, accept'].filter((value) => value !== undefined).join(', ');

  const match = (url: string): { route: FastPathRoute; rawInput: unknown; trpc: boolean } | null => {
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const trpcRoute = byTrpcPath.get(path);
    if (trpcRoute) {
      if (queryAt === -1) return null;
      const query = new URLSearchParams(url.slice(queryAt + 1));
      const encoded = query.get('input');
      // Exactly `?input=…`: `batch=1` and anything else belong to the adapter.
      if (encoded === null || query.size !== 1) return null;
      try {
        return { route: trpcRoute, rawInput: JSON.parse(encoded), trpc: true };
      } catch {
        return null;
      }
    }
    if (queryAt !== -1) return null;
    for (const pattern of restPatterns) {
      if (!path.startsWith(pattern.prefix) || !path.endsWith(pattern.suffix)) continue;
      const segment = path.slice(pattern.prefix.length, path.length - pattern.suffix.length);
      if (segment.length === 0 || segment.includes('/')) continue;
      try {
        return { route: pattern.route, rawInput: { [pattern.param]: decodeURIComponent(segment) }, trpc: false };
      } catch {
        return null;
      }
    }
    return null;
  };

  const answer = (req: IncomingMessage, res: ServerResponse, payload: string, trpc: boolean, startedAt: number) => {
    const requestId = assignRequestId(req, res);
    const body = trpc ? `{"result":{"data":${payload}}}` : payload;
    res.writeHead(200, {
      ...staticHeaders,
      'x-request-id': requestId,
      'content-type': 'application/json',
      ...(trpc ? { vary: trpcVary } : {}),
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    options.metrics.httpRequestDuration.observe(
      { method: 'GET', route: trpc ? '/trpc' : '/api', status_code: '200' },
      (performance.now() - startedAt) / 1000,
    );
  };

  // Parsing, validating and hashing the input of a hot URL once, not per request (bounded).
  const targets = new Map<string, { procedure: string; key: string; trpc: boolean }>();
  const resolveTarget = (url: string) => {
    const known = targets.get(url);
    if (known) return known;
    const found = match(url);
    const parsed = found?.route.input.safeParse(found.rawInput);
    if (!found || !parsed?.success) return null;
    const { procedure } = found.route;
    const target = { procedure, key: cache.keys.entry(procedure, parsed.data), trpc: found.trpc };
    if (targets.size >= MAX_REMEMBERED_URLS) targets.clear();
    targets.set(url, target);
    return target;
  };

  return (req, res) => {
    const startedAt = performance.now();
    const { headers } = req;
    if (
      !cache.enabled ||
      req.method !== 'GET' ||
      !lifecycle.accepting ||
      headers.authorization !== undefined ||
      headers.cookie !== undefined ||
      headers.origin !== undefined ||
      // Asks tRPC for a streamed (JSONL) answer: the adapter's business.
      headers['trpc-accept'] !== undefined ||
      req.url === undefined
    ) {
      fallback(req, res);
      return;
    }
    const target = resolveTarget(req.url);
    if (!target) {
      fallback(req, res);
      return;
    }
    const { procedure, key, trpc } = target;
    // Misses and errors are counted by the procedure that answers next, not twice.
    void cache.read(procedure, key, { countHitsOnly: true }).then((result) => {
      if (result.kind !== 'hit') {
        fallback(req, res);
        return;
      }
      cache.metrics.fastPathHits.inc({ procedure });
      answer(req, res, result.payload, trpc, startedAt);
    });
  };
}
