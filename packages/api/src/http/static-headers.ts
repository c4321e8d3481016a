import { IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import type { Config } from '../config.js';
import { corsAllowlist } from './hardening.js';

/** A connect-style middleware on plain node objects (helmet, cors). */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The middlewares that set the same headers on every response without an Origin (the fast path
 * leaves those to express): app.ts mounts them; the fast path replays what they set, computed once.
 */
export function staticHeaderMiddlewares(config: Pick<Config, 'http'>): NodeMiddleware[] {
  return [helmet(), corsAllowlist(config.http.corsOrigins)];
}

/** Runs `middlewares` once on a bare GET and returns the headers they set. */
export function precomputeHeaders(middlewares: readonly NodeMiddleware[]): OutgoingHttpHeaders {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/';
  const res = new ServerResponse(req);
  for (const middleware of middlewares) {
    let calledNext = false;
    middleware(req, res, (error) => {
      if (error) throw error;
      calledNext = true;
    });
    // Every header middleware here is synchronous; one that is not cannot be precomputed.
    if (!calledNext) throw new Error('precomputeHeaders: a middleware did not call next() synchronously');
  }
  return res.getHeaders();
}
