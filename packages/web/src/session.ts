import { type RouterOutputs, useInkwell, useInkwellSession } from '@inkwell/client/react';
import { useQuery } from '@tanstack/react-query';

export type Me = RouterOutputs['auth']['me'];

/** The signed-in account, or undefined; asked only while the client holds a sign-in. */
export function useMe(): { me: Me | undefined; pending: boolean } {
  const inkwell = useInkwell();
  const { signedIn } = useInkwellSession();
  const query = useQuery({ ...inkwell.auth.me.queryOptions(), enabled: signedIn, staleTime: 60_000 });
  return { me: signedIn ? query.data : undefined, pending: signedIn && query.isPending };
}

/** Whether `me` may change or delete content written by `authorId` (owners; admins moderate any). */
export function mayModerate(me: Me | undefined, authorId: string | undefined): boolean {
  return me !== undefined && (me.id === authorId || me.role === 'admin');
}
