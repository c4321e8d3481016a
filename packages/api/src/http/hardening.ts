import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import cors from 'cors';
import type { RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { toErrorBody } from '../errors.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodeMiddleware } from './static-headers.js';

function sendError(res: Response, status: number, code: TRPC_ERROR_CODE_KEY, message: string): void {
  res.status(status).json(toErrorBody(new TRPCError({ code, message }), String(res.req.id)));
}

/**
 * CORS for the configured origins only. Requests from any other origin (or with no Origin)
 * get no CORS headers at all, so browsers refuse them, and credentials are never allowed
 * for an origin that is not listed. Typed on plain node objects (as `cors` is), so the fast path
 * can replay the headers it sets (http/static-headers.ts).
 */
export function corsAllowlist(origins: readonly string[]): NodeMiddleware {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
}

/**
 * tRPC writes its own `Vary` header, which would replace the `Vary: Origin` CORS adds, and a
 * shared cache could then serve one origin's CORS answer to another. Later `Vary` values are
 * merged into the earlier ones instead.
 */
export const mergeVaryHeaders: RequestHandler = (_req, res, next) => {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    if (name.toLowerCase() !== 'vary') return setHeader(name, value);
    const tokens = [res.getHeader('vary'), value]
      .flatMap((header) => (header === undefined ? [] : String(header).split(',')))
      .map((token) => token.trim())
      .filter(Boolean);
    return setHeader(name, [...new Set(tokens)].join(', '));
  };
  next();
};

/**
 * Refuses a declared body over the limit before anyone reads it. Chunked bodies without a
 * length are cut off by the readers themselves (tRPC's `maxBodySize`, body parsers' `limit`).
 */
export function bodyLimit(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared <= limitBytes) {
      next();
      return;
    }
    // The unread body stays on the socket: close it rather than read megabytes to reuse it.
    res.set('connection', 'close');
    sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${limitBytes} bytes`);
  };
}

const timedOut = new WeakSet<Response>();

/** True once `requestTimeout` has answered for this request: a later failure to write is expected. */
export function answeredByTimeout(res: Response | undefined): boolean {
  return res !== undefined && timedOut.has(res);
}

/**
 * Answers 503 with the error shape when a request has not been answered within `ms`. The
 * handler keeps running (its late write fails and is dropped, see `answeredByTimeout`); the connection is
 * closed after the 503 so a stuck handler cannot hold a keep-alive connection.
 */
export function requestTimeout(ms: number): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      req.log.warn({ timeoutMs: ms }, 'request timed out');
      timedOut.add(res);
      res.set('connection', 'close');
      sendError(res, 503, 'SERVICE_UNAVAILABLE', 'The request took too long; try again later');
    }, ms);
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

/** While shutting down, responses ask the client to close its keep-alive connection. */
export function closeConnectionsWhenStopping(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (!lifecycle.accepting) res.set('connection', 'close');
    next();
  };
}

/** `trust proxy` as a hop count: 0 trusts no X-Forwarded-* header at all. */
export function trustProxySetting(config: Config): number | false {
  return config.http.trustProxyHops > 0 ? config.http.trustProxyHops : false;
}
