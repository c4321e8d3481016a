import { createOrm, type MikroORM } from '@inkwell/db';
import { Redis } from 'ioredis';
import type { WorkerConfig } from './config.js';
import type { Logger } from './logger.js';

export interface RunningWorker {
  orm: MikroORM;
  redis: Redis;
  /** Graceful stop: take no new jobs, finish in-flight ones within the timeout, close connections. */
  stop(): Promise<void>;
}

/** Connects to PostgreSQL and Redis and starts the worker's loops. */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<RunningWorker> {
  const orm = await createOrm({ databaseUrl: config.db.url, poolMax: config.db.poolMax });
  await orm.em.getConnection().execute('select 1');
  // BullMQ needs maxRetriesPerRequest: null on connections used for blocking commands.
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  await redis.ping();
  logger.info('worker connected to postgres and redis');

  let stopping: Promise<void> | undefined;
  return {
    orm,
    redis,
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled([orm.close(true), redis.quit()]);
        redis.disconnect();
      })();
      return stopping;
    },
  };
}
