import { postIdInput } from '../modules/posts/posts.schema.js';
import type { FastPathRoute } from './fast-path.js';

/** The cached procedures whose anonymous GETs the fast path answers (see fast-path.ts). */
export const fastPathRoutes: readonly FastPathRoute[] = [{ procedure: 'posts.byId', input: postIdInput }];
