import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import type { Lifecycle } from './lifecycle.js';

type CheckResult = 'ok' | 'fail';

async function withinBudget(check: () => Promise<unknown>, budgetMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve('fail'), budgetMs);
  });
  try {
    return await Promise.race([check().then((): CheckResult => 'ok'), timeout]);
  } catch {
    return 'fail';
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: it can serve (PostgreSQL and Redis reachable). */
export function healthRoutes(deps: AppDeps, lifecycle: Lifecycle): Router {
  const routes = Router();
  routes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  routes.get('/readyz', async (_req, res) => {
    if (!lifecycle.accepting) {
      res.status(503).json({ status: 'shutting-down' });
      return;
    }
    const budget = deps.config.readinessTimeoutMs;
    const [postgres, redis] = await Promise.all([
      withinBudget(() => deps.orm.em.getConnection().execute('select 1'), budget),
      withinBudget(() => deps.redis.ping(), budget),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    if (!ready) deps.logger.warn({ postgres, redis }, 'not ready');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: { postgres, redis } });
  });
  return routes;
}
