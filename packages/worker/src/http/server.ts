import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { WorkerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { MailQueue } from '../queue.js';

export interface WorkerHttpDeps {
  config: Pick<WorkerConfig, 'http'>;
  registry: Registry;
  queue: MailQueue;
  logger: Logger;
}

const failedListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
const jobIdSchema = z.uuid();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time check of `Authorization: Bearer <WORKER_ADMIN_TOKEN>`. */
function authorized(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return !!match?.[1] && timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * The worker's own HTTP port: `/healthz`, `/metrics` (Prometheus) and, when WORKER_ADMIN_TOKEN
 * is set, a JSON admin view of the mail queue's failed jobs behind that bearer token:
 *   GET  /admin/queues/mail/failed?limit=&offset=   failed jobs, newest first
 *   POST /admin/queues/mail/jobs/<id>/retry         moves a failed job back to waiting
 * Job data is the event id only, so nothing here exposes a token or an address.
 */
export async function startWorkerHttp(deps: WorkerHttpDeps) {
  const { config, registry, queue, logger } = deps;
  const adminToken = config.http.adminToken;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://worker.invalid');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
      return;
    }
    if (url.pathname.startsWith('/admin/')) {
      if (!adminToken) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'admin view is off' });
      if (!authorized(req, adminToken)) {
        res.setHeader('www-authenticate', 'Bearer');
        return sendJson(res, 401, { code: 'UNAUTHORIZED', message: 'bearer token required' });
      }
      if (req.method === 'GET' && url.pathname === '/admin/queues/mail/failed') {
        const query = failedListQuerySchema.safeParse(Object.fromEntries(url.searchParams));
        if (!query.success) return sendJson(res, 400, { code: 'BAD_REQUEST', message: 'invalid query' });
        const { limit, offset } = query.data;
        const [jobs, counts] = await Promise.all([
          queue.getFailed(offset, offset + limit - 1),
          queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
        ]);
        return sendJson(res, 200, {
          counts,
          items: jobs.map((job) => ({
            id: job.id,
            name: job.name,
            eventId: job.data.eventId,
            attemptsMade: job.attemptsMade,
            failedReason: job.failedReason,
            createdAt: new Date(job.timestamp).toISOString(),
            finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          })),
        });
      }
      const retry = /^\/admin\/queues\/mail\/jobs\/([^/]+)\/retry$/.exec(url.pathname);
      if (req.method === 'POST' && retry) {
        const id = jobIdSchema.safeParse(retry[1]);
        if (!id.success) return sendJson(res, 400, { code: 'BAD_REQUEST', message: 'invalid job id' });
        const job = await queue.getJob(id.data);
        if (!job || !(await job.isFailed())) {
          return sendJson(res, 404, { code: 'NOT_FOUND', message: 'no failed job with that id' });
        }
        await job.retry('failed');
        return sendJson(res, 200, { id: job.id, state: 'waiting' });
      }
    }
    sendJson(res, 404, { code: 'NOT_FOUND', message: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, path: req.url }, 'worker http request failed');
      if (!res.headersSent) sendJson(res, 500, { code: 'INTERNAL_SERVER_ERROR', message: 'internal error' });
      else res.destroy();
    });
  });
  server.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  return {
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
