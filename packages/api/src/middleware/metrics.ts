import { middleware } from '../trpc.js';

/**
 * Times every procedure call by its tRPC path, whichever transport it came through (tRPC or
 * REST), with `OK` or the tRPC error code. It runs first, so input validation failures
 * (BAD_REQUEST) and auth failures are counted too.
 */
export const procedureMetrics = middleware(async ({ ctx, path, type, next }) => {
  const stopTimer = ctx.deps.metrics.procedureDuration.startTimer({ procedure: path, type });
  const result = await next();
  stopTimer({ code: result.ok ? 'OK' : result.error.code });
  return result;
});
