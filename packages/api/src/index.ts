import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.js';

export type { ErrorBody, FieldIssue } from './errors.js';
/** The package's public face for the client: types only. */
export type { AppRouter } from './root.js';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
