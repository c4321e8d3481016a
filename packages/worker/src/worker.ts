import { createOrm, type MikroORM } from '@inkwell/db';
import { Redis } from 'ioredis';
import type { WorkerConfig } from './config.js';
import { startWorkerHttp } from './http/server.js';
import type { Logger } from './logger.js';
import { startMailConsumer } from './mail/mail-consumer.js';
import { createMailTransport } from './mail/transport.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { createMailQueue, type MailQueue } from './queue.js';
import { outboxBacklog, startOutboxRelay } from './relay/outbox-relay.js';

export interface RunningWorker {
  orm: MikroORM;
  queue: MailQueue;
  metrics: WorkerMetrics;
  /** The bound port of the worker's HTTP server (/healthz, /metrics, admin view). */
  httpPort: number;
  /** Graceful stop: take no new jobs, finish in-flight ones within the timeout, close connections. */
  stop(): Promise<void>;
}

function withDeadline(promise: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => 'done' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Connects to PostgreSQL and Redis and starts the outbox relay, the mail consumer and the HTTP
 * port. Several workers (processes or instances) can run against one database and Redis.
 */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<RunningWorker> {
  const orm = await createOrm({ databaseUrl: config.db.url, poolMax: config.db.poolMax });
  await orm.em.getConnection().execute('select 1');

  // Two connections, because they fail differently: the consumer's waits for Redis forever
  // (BullMQ requires maxRetriesPerRequest: null for its blocking reads), while the relay's
  // producer fails fast when Redis is down, so its rows simply stay undispatched.
  const consumerRedis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const producerRedis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  for (const [name, redis] of [
    ['consumer', consumerRedis],
    ['producer', producerRedis],
  ] as const) {
    redis.on('error', (error) => logger.warn({ err: error, connection: name }, 'redis connection error'));
  }
  await consumerRedis.ping();

  const queue = createMailQueue(config, producerRedis);
  queue.on('error', (error) => logger.warn({ err: error }, 'mail queue error'));
  const metrics = createWorkerMetrics({
    queueCounts: async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
      };
    },
    outboxBacklog: () => outboxBacklog(orm),
  });
  const transport = createMailTransport(config);
  const consumer = startMailConsumer({ orm, connection: consumerRedis, transport, config, logger, metrics });
  const relay = startOutboxRelay({ orm, queue, config, logger, metrics });
  await relay.started;
  const http = await startWorkerHttp({ config, registry: metrics.registry, queue, logger });
  logger.info({ httpPort: http.port, concurrency: config.mail.concurrency }, 'worker connected to postgres and redis');

  let stopping: Promise<void> | undefined;
  return {
    orm,
    queue,
    metrics,
    httpPort: http.port,
    stop() {
      stopping ??= (async () => {
        await relay.stop();
        // pause() stops fetching and waits for the jobs in flight. It is pause and not close:
        // close() is entered once (a later close(true) only returns the same pending promise),
        // so waiting on it would leave nothing to force with. Past the timeout we close by
        // force; those jobs' locks expire and they run again elsewhere (the delivery record
        // keeps that from sending twice unless the SMTP exchange itself was cut).
        const drained = await withDeadline(consumer.pause(), config.shutdownTimeoutMs);
        if (drained === 'timeout') {
          logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'in-flight mail jobs did not finish in time');
        }
        await consumer.close(drained === 'timeout');
        transport.close();
        // Bounded: with Redis down, closing the queue would wait for a reconnect that may not come.
        await Promise.allSettled([withDeadline(queue.close(), 5_000), http.close(), orm.close(true)]);
        await Promise.allSettled([consumerRedis.quit(), producerRedis.quit()]);
        consumerRedis.disconnect();
        producerRedis.disconnect();
      })();
      return stopping;
    },
  };
}
