import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { z } from 'zod';
import type { AppRouter } from '../root.js';
import type { SignedInUser } from './auth-helpers.js';
import type { TestApi } from './harness.js';

/**
 * A typed tRPC client over real HTTP, signed in as `user` (anonymous without). `batch: false`
 * sends one HTTP request per call, for tests about concurrent requests.
 */
export function trpcClient(api: TestApi, user: SignedInUser | null = null, options: { batch?: boolean } = {}) {
  const link = options.batch === false ? httpLink : httpBatchLink;
  return createTRPCClient<AppRouter>({
    links: [link({ url: `${api.url}/trpc`, headers: () => user?.authHeader ?? {} })],
  });
}

/** `error.data` in the one error shape (src/errors.ts) plus tRPC's HTTP status. */
const errorData = z.object({ httpStatus: z.number(), code: z.string(), reason: z.string().optional() });

export interface HttpFailure {
  status: number;
  code: string;
  reason: string | undefined;
}

/** Awaits a client call that must fail and returns its HTTP status, error code and reason. */
export async function httpFailure(promise: Promise<unknown>): Promise<HttpFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = errorData.parse(error.data);
      return { status: data.httpStatus, code: data.code, reason: data.reason };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}
