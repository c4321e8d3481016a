import type { Request } from 'express';
import type { Viewer } from '../../context.js';
import type { AppDeps } from '../../deps.js';

/**
 * Resolves the viewer from `Authorization: Bearer <access token>`.
 * Foundation: no tokens are issued yet, so every request is anonymous; the auth module
 * replaces this with JWT verification and a session check.
 */
export async function authenticateRequest(_deps: AppDeps, _req: Request): Promise<Viewer | null> {
  return null;
}
