/** `@inkwell/client`: the typed api client for Node and browsers. */
export type { AppRouter, ErrorBody, FieldIssue, RouterInputs, RouterOutputs } from './api-types.js';
export {
  type BatchOptions,
  type CookiePolicy,
  createInkwellClient,
  DEFAULT_BATCH,
  type ExtraHeaders,
  type FetchFunction,
  hasSession,
  type InkwellClient,
  type InkwellClientOptions,
  inkwellLinks,
  inkwellSession,
  onSessionChange,
} from './client.js';
export {
  fieldIssues,
  type InkwellError,
  type InkwellErrorCode,
  type InkwellErrorData,
  isInkwellError,
  retryAfterSeconds,
} from './errors.js';
export type { RefreshMode, SessionChange, SessionListener, TokenSession } from './session.js';
export { type HintStorage, memorySessionHint, type SessionHint, storageSessionHint } from './session-hint.js';
export { memoryTokenStore, type TokenStore, type Tokens } from './token-store.js';
