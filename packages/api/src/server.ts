import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppDeps, closeDeps } from './deps.js';
import { createApp } from './http/app.js';
import { createLifecycle } from './http/lifecycle.js';

export interface RunningServer {
  server: Server;
  url: string;
  /** Graceful stop: readiness off, stop accepting, drain in-flight requests, close deps. */
  stop(): Promise<void>;
}

export async function startServer(deps: AppDeps, options: { closeDepsOnStop?: boolean } = {}): Promise<RunningServer> {
  const lifecycle = createLifecycle();
  const app = createApp(deps, lifecycle);
  const server = app.listen(deps.config.http.port, deps.config.http.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = deps.config.http.host.includes(':') ? `[${deps.config.http.host}]` : deps.config.http.host;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      lifecycle.accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets with no request in flight would hold close() open forever.
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        deps.logger.warn('shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, deps.config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      if (options.closeDepsOnStop ?? true) await closeDeps(deps);
    })();
    return stopping;
  };

  return { server, url: `http://${host}:${port}`, stop };
}
