import type { UserRole } from '@inkwell/db';
import { TRPCError } from '@trpc/server';
import type { Request, Response } from 'express';
// Brings pino-http's `req.id` / `req.log` augmentation into every program that compiles this file.
import type {} from 'pino-http';
import type { AppDeps } from './deps.js';
import type { Logger } from './logger.js';
import { authenticateRequest } from './modules/auth/authenticate.js';

/** Who is calling, resolved once per HTTP request from the access token. */
export interface Viewer {
  userId: string;
  sessionId: string;
  role: UserRole;
  emailVerified: boolean;
}

/**
 * Per-HTTP-request context. A tRPC batch shares one context, so nothing here may hold
 * per-procedure state: the EntityManager fork is made per procedure call (see procedures.ts).
 */
export interface Context {
  deps: AppDeps;
  requestId: string;
  log: Logger;
  viewer: Viewer | null;
  /**
   * Set when an Authorization header was present but refused (bad, expired or revoked token):
   * every procedure, public ones included, answers it (401) instead of running anonymously.
   */
  authError: TRPCError | null;
  ip: string | null;
  userAgent: string | null;
  req: Request | null;
  res: Response | null;
}

export async function createContext(deps: AppDeps, req: Request, res: Response): Promise<Context> {
  const requestId = String(req.id);
  const log = req.log ?? deps.logger.child({ reqId: requestId });
  let viewer: Viewer | null = null;
  let authError: TRPCError | null = null;
  try {
    viewer = await authenticateRequest(deps, req);
  } catch (error) {
    // Thrown here, tRPC would answer without our context (no requestId in the error body).
    authError =
      error instanceof TRPCError
        ? error
        : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Authentication failed', cause: error });
  }
  return {
    deps,
    requestId,
    log,
    viewer,
    authError,
    ip: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
    req,
    res,
  };
}

/** A context without HTTP, for `createCaller` in tests and scripts. */
export function createInternalContext(deps: AppDeps, viewer: Viewer | null = null): Context {
  const requestId = `internal-${Date.now().toString(36)}`;
  return {
    deps,
    requestId,
    log: deps.logger.child({ reqId: requestId }),
    viewer,
    authError: null,
    ip: null,
    userAgent: null,
    req: null,
    res: null,
  };
}
