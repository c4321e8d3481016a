import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Honors a sane incoming `x-request-id` (from a proxy), else makes one; echoes it back. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/**
 * The request id of the HTTP request being handled, for code that has no request at hand:
 * tRPC formats errors raised before its context exists (unsupported content type, oversized
 * batch) without a `ctx`, and they still carry the id.
 */
const requestIds = new AsyncLocalStorage<string>();

export const withRequestId: RequestHandler = (req, _res, next) => {
  requestIds.run(String(req.id), next);
};

export function currentRequestId(): string | null {
  return requestIds.getStore() ?? null;
}
