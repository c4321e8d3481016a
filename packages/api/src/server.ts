import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyTRPCRouter } from '@trpc/server';
import { type AppDeps, closeDeps } from './deps.js';
import { createApp } from './http/app.js';
import { createFastPath, type FastPathRoute } from './http/fast-path.js';
import { fastPathRoutes } from './http/fast-path-routes.js';
import { createLifecycle } from './http/lifecycle.js';
import { type MetricsServer, startMetricsServer } from './http/metrics.js';
import { precomputeHeaders, staticHeaderMiddlewares } from './http/static-headers.js';

export interface RunningServer {
  server: Server;
  url: string;
  /** The separate metrics listener when METRICS_PORT is set. */
  metrics: MetricsServer | null;
  /** Graceful stop: readiness off, stop accepting, drain in-flight requests, close deps. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  closeDepsOnStop?: boolean;
  /** Serve a test-only router (with its own fast-path routes) instead of `appRouter`. */
  router?: AnyTRPCRouter;
  fastPathRoutes?: readonly FastPathRoute[];
}

export async function startServer(deps: AppDeps, options: ServerOptions = {}): Promise<RunningServer> {
  const lifecycle = createLifecycle();
  const app = createApp(deps, lifecycle, options.router);
  // Cache hits of anonymous GETs are answered before express (see http/fast-path.ts).
  const fastPath = createFastPath({
    cache: deps.cache,
    routes: options.fastPathRoutes ?? (options.router ? [] : fastPathRoutes),
    staticHeaders: precomputeHeaders(staticHeaderMiddlewares(deps.config)),
    lifecycle,
    metrics: deps.metrics,
    fallback: app,
  });
  const server = createServer(fastPath);
  server.listen(deps.config.http.port, deps.config.http.host);
  await once(server, 'listening');
  // Node's own guards against slow clients, aligned with the per-request budget.
  server.requestTimeout = deps.config.http.requestTimeoutMs;
  server.headersTimeout = Math.min(deps.config.http.requestTimeoutMs, 60_000);
  // A connection that finishes its last response while we stop is closed at once, not after
  // the keep-alive timeout, so close() completes as soon as the in-flight work is done.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => {
      if (!lifecycle.accepting) setImmediate(() => server.closeIdleConnections());
    });
  });
  const metrics =
    deps.config.metrics.port === undefined ? null : await startMetricsServer(deps, deps.config.metrics.port);
  const { port } = server.address() as AddressInfo;
  const host = deps.config.http.host.includes(':') ? `[${deps.config.http.host}]` : deps.config.http.host;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      lifecycle.accepting = false;
      // /readyz fails from here on; give load balancers time to notice before we stop accepting.
      if (deps.config.shutdownDrainDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, deps.config.shutdownDrainDelayMs));
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets with no request in flight would hold close() open forever.
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        deps.logger.warn('shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, deps.config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await metrics?.close();
      if (options.closeDepsOnStop ?? true) await closeDeps(deps);
    })();
    return stopping;
  };

  return { server, url: `http://${host}:${port}`, metrics, stop };
}
