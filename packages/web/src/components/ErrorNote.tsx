import { isInkwellError, retryAfterSeconds } from '@inkwell/client/react';
import type { ReactNode } from 'react';

/** What to tell a person about a failed call, by the api's stable `reason` first, then its code. */
export function describeError(error: unknown): string {
  if (!isInkwellError(error)) return 'Inkwell could not be reached. Check your connection and try again.';
  const { reason, code, message, requestId } = error.data;
  switch (reason) {
    case 'RATE_LIMITED': {
      const wait = retryAfterSeconds(error);
      return wait === null
        ? 'Too many attempts. Wait a little and try again.'
        : `Too many attempts. Try again in ${wait} s.`;
    }
    case 'EMAIL_NOT_VERIFIED':
      return 'Confirm your email address first: open the link we mailed you, or ask for a new one below.';
    case 'INVALID_TOKEN':
      return 'This link has expired or was already used. Ask for a new one below.';
    case 'ACCOUNT_DISABLED':
      return 'This account is disabled. Contact the moderators if you think this is a mistake.';
    case 'SESSION_ENDED':
      return 'Your session ended. Sign in again.';
  }
  if (code === 'BAD_REQUEST' && error.data.issues?.length) return 'Some fields need your attention.';
  if (code === 'CONFLICT' && error.data.issues?.length) return 'Some fields need your attention.';
  if (code === 'NOT_FOUND') return 'This does not exist (any more).';
  if (code === 'INTERNAL_SERVER_ERROR' || code === 'SERVICE_UNAVAILABLE') {
    return `Something went wrong on our side. Try again in a moment${requestId ? ` (request ${requestId})` : ''}.`;
  }
  return message;
}

/** An error announced to screen readers; `children` follow it (a retry button, a link). */
export function ErrorNote({ error, children }: { error: unknown; children?: ReactNode }) {
  if (!error) return null;
  return (
    <div className="note error" role="alert">
      <p>{describeError(error)}</p>
      {children}
    </div>
  );
}
