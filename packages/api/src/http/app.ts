import { type AnyTRPCRouter, TRPCError } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { createContext } from '../context.js';
import type { AppDeps } from '../deps.js';
import { toErrorBody } from '../errors.js';
import { appRouter } from '../root.js';
import { docsRoutes } from './docs.js';
import {
  answeredByTimeout,
  bodyLimit,
  closeConnectionsWhenStopping,
  mergeVaryHeaders,
  requestTimeout,
  trustProxySetting,
} from './hardening.js';
import { healthRoutes } from './health.js';
import type { Lifecycle } from './lifecycle.js';
import { httpMetrics, metricsRoute } from './metrics.js';
import { openApiDocumentRoute, REST_BASE_PATH, restApi } from './openapi.js';
import { assignRequestId, withRequestId } from './request-id.js';
import { staticHeaderMiddlewares } from './static-headers.js';

/** The express application over `router` (tests pass their own): plumbing only. */
export function createApp(deps: AppDeps, lifecycle: Lifecycle, router: AnyTRPCRouter = appRouter): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(deps.config));

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: assignRequestId,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  // --- operations and hardening: in front of every route (see src/http/hardening.ts) ---
  app.use(withRequestId);
  app.use(httpMetrics(deps.metrics));
  app.use(mergeVaryHeaders);
  // helmet and CORS: the fast path replays what they set (http/static-headers.ts).
  for (const middleware of staticHeaderMiddlewares(deps.config)) app.use(middleware);
  app.use(closeConnectionsWhenStopping(lifecycle));
  app.use(requestTimeout(deps.config.http.requestTimeoutMs));
  app.use(bodyLimit(deps.config.limits.maxBodyBytes));
  if (deps.config.metrics.port === undefined) app.use(metricsRoute(deps));
  // --- end of operations and hardening ---

  app.use(healthRoutes(deps, lifecycle));

  app.use(
    '/trpc',
    createExpressMiddleware({
      router,
      maxBodySize: deps.config.limits.maxBodyBytes,
      maxBatchSize: deps.config.limits.maxBatchSize,
      createContext: ({ req, res }) => createContext(deps, req, res),
      onError: ({ error, path, ctx, req }) => {
        const log = ctx?.log ?? deps.logger;
        if (answeredByTimeout(req.res)) {
          log.debug({ path }, 'late answer after the request timeout dropped');
          return;
        }
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'procedure failed');
        else log.debug({ code: error.code, path }, 'procedure error');
      },
    }),
  );

  // --- REST adapter, its OpenAPI document and the docs page (http/openapi.ts, http/docs.ts) ---
  app.use(REST_BASE_PATH, restApi(deps, router));
  app.use(openApiDocumentRoute(deps, router));
  app.use(docsRoutes());
  // --- end REST ---

  const notFound: RequestHandler = (req, res) => {
    const error = new TRPCError({ code: 'NOT_FOUND', message: `No route ${req.method} ${req.path}` });
    res.status(404).json(toErrorBody(error, String(req.id)));
  };
  // Express 5 sends body-parser and handler errors here; never leak their messages.
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const status =
      typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const error = new TRPCError({
      code: status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR',
      message: status === 413 ? 'Request body too large' : 'Malformed request',
    });
    res.status(status).json(toErrorBody(error, String(req.id)));
  };
  app.use(notFound);
  app.use(onError);
  return app;
}
