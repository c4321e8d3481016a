import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';

/** A field-level problem with the input: `path` is dotted (`tags.2`), `message` is for humans. */
export interface FieldIssue {
  path: string;
  message: string;
  code: string;
}

/**
 * The one error shape. tRPC puts it in `error.data`, REST and plain HTTP routes send it as the
 * body. `reason` is a stable machine-readable refinement of `code` a client can act on
 * (e.g. `EMAIL_NOT_VERIFIED` with FORBIDDEN).
 */
export interface ErrorBody {
  code: TRPC_ERROR_CODE_KEY;
  message: string;
  requestId: string | null;
  issues?: FieldIssue[];
  reason?: string;
  /** With `TOO_MANY_REQUESTS`: seconds to wait before trying again (also the `Retry-After` header). */
  retryAfterSeconds?: number;
}

/** A TRPCError with a client-actionable `reason`. */
export class AppError extends TRPCError {
  readonly reason: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(options: {
    code: TRPC_ERROR_CODE_KEY;
    message: string;
    reason?: string | undefined;
    retryAfterSeconds?: number | undefined;
    cause?: unknown;
  }) {
    super(options);
    this.reason = options.reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** Most field issues one error lists (the document promises a bound). */
export const MAX_ISSUES = 100;

/** Builds the error body; internal failures never reveal their message (no SQL, no stacks). */
export function toErrorBody(error: TRPCError, requestId: string | null): ErrorBody {
  const body: ErrorBody = {
    code: error.code,
    message: error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : error.message,
    requestId,
  };
  // Field issues are the caller's to see (invalid input, a taken username); a failed output
  // check is an internal error whose issues stay in the log.
  if (error.cause instanceof ZodError && error.code !== 'INTERNAL_SERVER_ERROR') {
    body.issues = zodIssues(error.cause).slice(0, MAX_ISSUES);
    if (error.code === 'BAD_REQUEST') body.message = 'Invalid input';
  }
  // The JSON parser's own message would echo fragments of the body back; say what happened.
  if (error.code === 'BAD_REQUEST' && error.cause instanceof SyntaxError) body.message = 'Malformed JSON body';
  if (error instanceof AppError && error.reason) body.reason = error.reason;
  if (error instanceof AppError && error.retryAfterSeconds !== undefined) {
    body.retryAfterSeconds = error.retryAfterSeconds;
  }
  return body;
}
