import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AnyTRPCRouter } from '@trpc/server';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import express, { type RequestHandler, type Response, Router } from 'express';
import {
  createOpenApiExpressMiddleware,
  generateOpenApiDocument,
  type OpenAPIObject,
  type SecuritySchemeObject,
} from 'trpc-to-openapi';
import { z } from 'zod';
import { createContext } from '../context.js';
import type { AppDeps } from '../deps.js';
import { type ErrorBody, toErrorBody } from '../errors.js';
import { REFRESH_COOKIE_NAME } from '../modules/auth/refresh-cookie.js';
import type { ProcedureMeta } from '../trpc.js';

/** Where the REST adapter is mounted; the document's server URL is `PUBLIC_URL` + this. */
export const REST_BASE_PATH = '/api';

const BEARER_SCHEME = 'bearerAuth';
const REFRESH_COOKIE_SCHEME = 'refreshCookie';
/** Operations that read the refresh cookie (the cookie's Path limits it to them). */
const REFRESH_COOKIE_OPERATIONS = new Set(['auth-refresh']);

const packageJson = z
  .object({ version: z.string().max(64) })
  .parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));

const errorCodes = Object.keys(TRPC_ERROR_CODES_BY_KEY) as [TRPC_ERROR_CODE_KEY, ...TRPC_ERROR_CODE_KEY[]];

/** The one error shape (src/errors.ts) as the document describes it. */
const errorBodySchema = z
  .object({
    code: z.enum(errorCodes),
    message: z.string().max(1_000),
    requestId: z.string().max(128).nullable().meta({ description: 'Quote it when reporting a problem.' }),
    issues: z
      .array(
        z.object({
          path: z.string().max(1_000).meta({ description: 'Dotted path of the field, e.g. `tags.2`.' }),
          message: z.string().max(1_000),
          code: z.string().max(64),
        }),
      )
      .max(100)
      .optional()
      .meta({ description: 'Present on validation errors: one entry per invalid field.' }),
    reason: z
      .string()
      .max(64)
      .optional()
      .meta({ description: 'Machine-readable refinement of `code`, e.g. `EMAIL_NOT_VERIFIED`.' }),
    retryAfterSeconds: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'With `TOO_MANY_REQUESTS`: seconds to wait, as the `Retry-After` header says.' }),
  })
  .meta({ id: 'Error', description: 'Every REST error has this body.' });

/** Procedure meta by tRPC path (`posts.create`), read once from the router. */
function metaByPath(router: AnyTRPCRouter): Map<string, ProcedureMeta> {
  const metas = new Map<string, ProcedureMeta>();
  for (const [path, procedure] of Object.entries(router._def.procedures)) {
    // Every procedure is built from `t` in trpc.ts, so its meta has that type.
    const meta = (procedure as { _def: { meta?: ProcedureMeta } })._def.meta;
    if (meta) metas.set(path, meta);
  }
  return metas;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Whether a schema's `type` is `type` or a list that includes it (OpenAPI 3.1). */
function hasType(schema: Record<string, unknown>, type: string): boolean {
  return schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));
}

/**
 * States bounds the validators already enforce but zod's JSON Schema leaves implicit: a uuid
 * (format + pattern) is 36 characters; a bounded integer fits int32 or int64.
 */
function stateImplicitBounds(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) stateImplicitBounds(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (hasType(schema, 'string') && schema.format === 'uuid' && schema.maxLength === undefined) schema.maxLength = 36;
  if (hasType(schema, 'integer') && schema.format === undefined) {
    const { minimum, maximum } = schema;
    if (typeof minimum === 'number' && typeof maximum === 'number') {
      schema.format = minimum >= INT32.min && maximum <= INT32.max ? 'int32' : 'int64';
    }
  }
  for (const value of Object.values(schema)) stateImplicitBounds(value);
}

/**
 * Security requirements of one operation. The adapter would offer every scheme (the refresh
 * cookie included) as alternatives; a public procedure still sees the viewer when a token is
 * sent (e.g. `likedByMe`), so sign-in is optional there rather than absent.
 */
function securityOf(operationId: string, meta: ProcedureMeta | undefined): Record<string, string[]>[] {
  if (REFRESH_COOKIE_OPERATIONS.has(operationId)) return [{}, { [REFRESH_COOKIE_SCHEME]: [] }];
  if (ignoresAccessToken(operationId, meta)) return [{}];
  if (meta?.openapi?.protect === false) return [{}, { [BEARER_SCHEME]: [] }];
  return [{ [BEARER_SCHEME]: [] }];
}

/**
 * The public auth operations (register, login, refresh, email links, password reset) are
 * `credentialsProcedure`s: they ignore any access token, so a stale one is no 401 there.
 */
function ignoresAccessToken(operationId: string, meta: ProcedureMeta | undefined): boolean {
  return operationId.startsWith('auth-') && meta?.openapi?.protect === false;
}

/**
 * A zod `.describe()` ends up on a parameter's schema; documentation tools show the parameter's
 * own `description`, so it is copied there (one source: the zod schema).
 */
type Operation = NonNullable<NonNullable<NonNullable<OpenAPIObject['paths']>[string]>['get']>;

function describeParameters(parameters: Operation['parameters']): void {
  for (const parameter of parameters ?? []) {
    if ('$ref' in parameter || parameter.description !== undefined) continue;
    const schema = parameter.schema;
    if (schema && !('$ref' in schema) && typeof schema.description === 'string')
      parameter.description = schema.description;
  }
}

export interface OpenApiDocumentOptions {
  publicUrl: string;
  env: 'development' | 'test' | 'production';
}

const environmentNames = { development: 'local development', test: 'test', production: 'production' } as const;

/**
 * The OpenAPI 3.1 document of every procedure with `openapi` meta, as served at /openapi.json.
 * trpc-to-openapi's output is adjusted where the adapter's defaults do not tell the truth about
 * this api: the error body, 201 for creations, optional sign-in on public operations.
 */
export function buildOpenApiDocument(router: AnyTRPCRouter, options: OpenApiDocumentOptions): OpenAPIObject {
  const securitySchemes: Record<string, SecuritySchemeObject> = {
    [BEARER_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      description:
        'The access token from `POST /auth/login` or `POST /auth/refresh`: `Authorization: Bearer <access token>`.',
    },
    [REFRESH_COOKIE_SCHEME]: {
      type: 'apiKey',
      in: 'cookie',
      name: REFRESH_COOKIE_NAME,
      description:
        'httpOnly, SameSite=Strict refresh token cookie set by login and refresh, sent only to `POST /auth/refresh`; ' +
        'the refresh token may be given in the body instead.',
    },
  };
  const metas = metaByPath(router);
  const tags = [...new Set([...metas.values()].flatMap((meta) => meta.openapi?.tags ?? []))].sort();
  const document = generateOpenApiDocument(router, {
    title: 'Inkwell API',
    description:
      'REST view of the Inkwell procedures. Creations answer 201 with the created resource; deletions answer 200 ' +
      'with `{ id, deleted: true }`. Every error has the `Error` body.',
    version: packageJson.version,
    baseUrl: `${options.publicUrl}${REST_BASE_PATH}`,
    securitySchemes,
    tags,
    defs: { Error: errorBodySchema },
  });
  document.servers = [
    {
      url: `${options.publicUrl}${REST_BASE_PATH}`,
      description: `${environmentNames[options.env]} server`,
      'x-internal': false,
    },
  ];

  // trpc-to-openapi's operationId is the tRPC path with dots as dashes.
  const metasByOperationId = new Map([...metas].map(([path, meta]) => [path.replace(/\./g, '-'), meta]));
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (!operation?.operationId) continue;
      const meta = metasByOperationId.get(operation.operationId);
      operation.security = securityOf(operation.operationId, meta);
      describeParameters(operation.parameters);
      const responses = operation.responses ?? {};
      // A bad, expired or revoked token is refused, never treated as anonymous.
      if (!ignoresAccessToken(operation.operationId, meta)) {
        responses['401'] ??= { description: 'Invalid, expired or revoked access token' };
      }
      if (meta?.rateLimited) {
        // No `headers` object: Retry-After is always sent, but declaring headers would also
        // claim CORS headers on every response (OWASP ruleset).
        responses['429'] = {
          description: 'Too many attempts (reason `RATE_LIMITED`); the `Retry-After` header gives the seconds to wait',
        };
      }
      if (meta?.created && responses['200']) {
        responses['201'] = { ...responses['200'], description: 'Created' };
        delete responses['200'];
      }
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const description = typeof response.description === 'string' ? response.description : 'Error';
        responses[status] = {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
      operation.responses = responses;
    }
  }
  stateImplicitBounds(document.paths);
  // The adapter's own error schemas (`error.BAD_REQUEST`, …) are no longer referenced.
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith('error.')) delete schemas[name];
  return document;
}

/**
 * The REST adapter over `router`, to mount at REST_BASE_PATH. Errors are sent as the one error
 * shape with the HTTP status trpc-to-openapi maps from the tRPC code; procedures with
 * `meta.created` answer 201.
 */
export function restApi(deps: AppDeps, router: AnyTRPCRouter): Router {
  const created = new Set([...metaByPath(router)].filter(([, meta]) => meta.created).map(([path]) => path));
  // trpc-to-openapi writes its own error body (the tRPC shape plus raw zod issues). `onError`
  // runs before that write with the same error, so it keeps our body and `end` sends it instead.
  const errorBodies = new WeakMap<IncomingMessage, ErrorBody>();

  const sendOneErrorShape: RequestHandler = (req, res, next) => {
    const end = res.end.bind(res);
    const endWithErrorShape = (...args: unknown[]): Response => {
      // A request timeout may have answered already; the adapter's late answer is dropped.
      if (res.writableEnded) return res;
      const body = errorBodies.get(req);
      if (body) return end(JSON.stringify(body));
      return Reflect.apply(end, res, args);
    };
    res.end = endWithErrorShape as Response['end'];
    next();
  };

  // trpc-to-openapi wants a JSON content type on every POST/PUT/PATCH, even one without a body
  // (`PUT /posts/{id}/like`, `POST /auth/logout`): a body-less request counts as empty JSON.
  const bodylessAsJson: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody && req.headers['content-type'] === undefined) req.headers['content-type'] = 'application/json';
    next();
  };

  const routes = Router();
  routes.use(bodylessAsJson);
  // express.json accepts `application/json; charset=utf-8`, which the adapter's own parser
  // rejects; the adapter uses an already parsed `req.body`.
  routes.use(express.json({ limit: deps.config.limits.maxBodyBytes }));
  routes.use(sendOneErrorShape);
  routes.use(
    createOpenApiExpressMiddleware({
      router,
      maxBodySize: deps.config.limits.maxBodyBytes,
      createContext: ({ req, res }) => createContext(deps, req, res),
      responseMeta: ({ paths, errors }) =>
        errors.length === 0 && paths?.length === 1 && created.has(paths[0] ?? '') ? { status: 201 } : {},
      onError: ({ error, path, req, ctx }) => {
        errorBodies.set(req, toErrorBody(error, String(req.id)));
        const log = ctx?.log ?? deps.logger;
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'REST call failed');
        else log.debug({ code: error.code, path }, 'REST call error');
      },
    }),
  );
  return routes;
}

/** `GET /openapi.json`: the document, generated once at start-up. */
export function openApiDocumentRoute(deps: AppDeps, router: AnyTRPCRouter): Router {
  const body = JSON.stringify(buildOpenApiDocument(router, { publicUrl: deps.config.publicUrl, env: deps.config.env }));
  const routes = Router();
  routes.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return routes;
}
