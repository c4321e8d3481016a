/** `@inkwell/client`: the typed api client for Node and browsers. */
export type { AppRouter, ErrorBody, FieldIssue, RouterInputs, RouterOutputs } from './api-types.js';
export {
  type CookiePolicy,
  createInkwellClient,
  type FetchFunction,
  type InkwellClient,
  type InkwellClientOptions,
  inkwellLinks,
  inkwellSession,
} from './client.js';
export {
  fieldIssues,
  type InkwellError,
  type InkwellErrorCode,
  type InkwellErrorData,
  isInkwellError,
} from './errors.js';
export type { LogoutEvent, TokenSession } from './session.js';
export { memoryTokenStore, type TokenStore, type Tokens } from './token-store.js';
