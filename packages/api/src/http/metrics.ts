import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRPCError } from '@trpc/server';
import { type RequestHandler, Router } from 'express';
import type { AppDeps } from '../deps.js';
import { toErrorBody } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';

/** Mount points that label HTTP metrics; anything else is `other` (bounded cardinality). */
const ROUTES = ['/trpc', '/api', '/openapi.json', '/docs', '/healthz', '/readyz', '/metrics'] as const;

function routeOf(path: string): string {
  return ROUTES.find((route) => path === route || path.startsWith(`${route}/`)) ?? 'other';
}

/** Times every HTTP request and counts those in flight. */
export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const route = routeOf(req.path);
    const stopTimer = metrics.httpRequestDuration.startTimer({ method: req.method, route });
    metrics.httpRequestsInFlight.inc();
    // `close` fires for finished and for aborted responses alike, exactly once.
    res.once('close', () => {
      metrics.httpRequestsInFlight.dec();
      stopTimer({ status_code: res.headersSent ? String(res.statusCode) : 'aborted' });
    });
    next();
  };
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `/metrics` on the main port, used when no METRICS_PORT is set; behind
 * `Authorization: Bearer <METRICS_TOKEN>` when a token is configured.
 */
export function metricsRoute(deps: AppDeps): Router {
  const routes = Router();
  const token = deps.config.metrics.token;
  routes.get('/metrics', async (req, res) => {
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (token !== undefined && (given === undefined || !sameSecret(given, token))) {
      const error = new TRPCError({ code: 'UNAUTHORIZED', message: 'Metrics need a bearer token' });
      res
        .status(401)
        .set('www-authenticate', 'Bearer')
        .json(toErrorBody(error, String(req.id)));
      return;
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return routes;
}

export interface MetricsServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` alone on its own port (METRICS_PORT), for a scraper on a private network; the
 * main port then has no /metrics at all.
 */
export async function startMetricsServer(deps: AppDeps, port: number): Promise<MetricsServer> {
  const { registry } = deps.metrics;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      const error = new TRPCError({ code: 'NOT_FOUND', message: 'Only GET /metrics is served here' });
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(toErrorBody(error, null)));
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        deps.logger.error({ err: error }, 'metrics collection failed');
        res.writeHead(500).end();
      },
    );
  });
  server.listen(port, deps.config.http.host);
  await once(server, 'listening');
  const { port: bound } = server.address() as AddressInfo;
  const host = deps.config.http.host.includes(':') ? `[${deps.config.http.host}]` : deps.config.http.host;
  return {
    server,
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
