import { TRPCError } from '@trpc/server';
import type { Viewer } from './context.js';

/** The part of the viewer that authorization decisions depend on. */
export type Actor = Pick<Viewer, 'userId' | 'role'>;

/**
 * Owners edit and delete their own content. Admins moderate by deleting anyone's content but
 * cannot edit it: an edit would put words in the author's mouth under their name.
 */
export function assertMayChange(actor: Actor, ownerId: string, action: 'edit' | 'delete', what: string): void {
  if (actor.userId === ownerId) return;
  if (action === 'delete' && actor.role === 'admin') return;
  throw new TRPCError({ code: 'FORBIDDEN', message: `You may not ${action} this ${what}` });
}

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}
