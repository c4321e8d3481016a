import { postIdInput } from '../modules/posts/posts.schema.js';
import type { FastPathRoute } from './fast-path.js';
import { REST_BASE_PATH } from './openapi.js';

/** The cached procedures whose anonymous GETs the fast path answers (see fast-path.ts). */
export const fastPathRoutes: readonly FastPathRoute[] = [
  { procedure: 'posts.byId', input: postIdInput, rest: `${REST_BASE_PATH}/posts/{id}` },
];
