import { TRPCClientError } from '@trpc/client';
import type { AppRouter, ErrorBody, FieldIssue } from './api-types.js';

/** `error.data` of every api error: the one error shape plus tRPC's transport fields. */
export type InkwellErrorData = ErrorBody & { httpStatus: number; path: string | null };

export type InkwellErrorCode = ErrorBody['code'];

/** A client error whose `data` is the api's error shape (not a network or parse failure). */
export type InkwellError = TRPCClientError<AppRouter> & { data: InkwellErrorData };

function hasErrorShape(data: unknown): data is InkwellErrorData {
  if (typeof data !== 'object' || data === null) return false;
  return typeof Reflect.get(data, 'code') === 'string' && typeof Reflect.get(data, 'message') === 'string';
}

/**
 * Narrows an unknown thrown value to an api error, optionally of one code:
 * `if (isInkwellError(err, 'NOT_FOUND')) show404(err.data.requestId)`.
 */
export function isInkwellError(error: unknown, code?: InkwellErrorCode): error is InkwellError {
  if (!(error instanceof TRPCClientError) || !hasErrorShape(error.data)) return false;
  return code === undefined || error.data.code === code;
}

/** Field-level problems of a rejected input, keyed by dotted path (`tags.2`); empty otherwise. */
export function fieldIssues(error: unknown): Record<string, string> {
  const issues: FieldIssue[] = isInkwellError(error) ? (error.data.issues ?? []) : [];
  const byPath: Record<string, string> = {};
  for (const issue of issues) byPath[issue.path] ??= issue.message;
  return byPath;
}

/** Seconds the api asks to wait before retrying (`RATE_LIMITED`); null for any other error. */
export function retryAfterSeconds(error: unknown): number | null {
  return isInkwellError(error, 'TOO_MANY_REQUESTS') && typeof error.data.retryAfterSeconds === 'number'
    ? error.data.retryAfterSeconds
    : null;
}
