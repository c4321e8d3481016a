import type { FastPathRoute } from './fast-path.js';

/** The cached procedures whose anonymous GETs the fast path answers (see fast-path.ts). */
export const fastPathRoutes: readonly FastPathRoute[] = [];
