import { type EntityManager, type IUser, User } from '@inkwell/db';
import { TRPCError } from '@trpc/server';
import type { Context, Viewer } from '../../context.js';
import type { MeDto } from './auth.schema.js';

/** What a procedure hands a service function: the request context plus its own EntityManager. */
export type AuthCtx = Context & { em: EntityManager };
export type AuthedCtx = AuthCtx & { viewer: Viewer };

type UserRow = Pick<
  IUser,
  'id' | 'email' | 'username' | 'displayName' | 'bio' | 'role' | 'emailVerifiedAt' | 'createdAt'
>;

export function toMeDto(user: UserRow): MeDto {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
    createdAt: user.createdAt.toISOString(),
  };
}

export async function me(ctx: AuthedCtx): Promise<MeDto> {
  const user = await ctx.em.findOne(User, { id: ctx.viewer.userId });
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Session ended, sign in again' });
  return toMeDto(user);
}
