import type { MikroORM } from '@inkwell/db';
import type { WorkerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { WorkerMetrics } from '../metrics.js';
import { type MailQueue, mailJobOptions } from '../queue.js';
import { startOutboxListener } from './outbox-listener.js';

/** Longest a relay pass waits for Redis while it holds its rows locked. */
const QUEUE_ADD_TIMEOUT_MS = 5_000;

export interface OutboxRelayDeps {
  orm: MikroORM;
  queue: MailQueue;
  config: Pick<WorkerConfig, 'db' | 'mail' | 'outbox'>;
  logger: Logger;
  metrics: WorkerMetrics;
}

type BatchResult = { relayed: number; full: boolean } | { error: unknown };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1_000);
}

/**
 * Moves undispatched outbox rows into the mail queue. Each batch is one transaction: lock up to
 * OUTBOX_BATCH_SIZE rows with SKIP LOCKED (several workers relay side by side without taking
 * the same rows), add one job per row with jobId = event id (re-adding is a no-op), then mark
 * them dispatched. If Redis is down the rows stay undispatched, with attempts and last_error
 * recorded, and the next pass retries them. A crash between the add and the commit re-adds the
 * same job ids later, which BullMQ ignores (and the delivery record stops a second send).
 */
export function startOutboxRelay(deps: OutboxRelayDeps) {
  const { orm, queue, config, logger, metrics } = deps;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  const relayBatch = (): Promise<BatchResult> =>
    orm.em.fork().transactional(async (em) => {
      const rows = await em.execute<{ id: string; type: string }[]>(
        `select id, type from outbox_events where dispatched_at is null
         order by created_at limit ? for update skip locked`,
        [config.outbox.batchSize],
      );
      if (!rows.length) return { relayed: 0, full: false };
      const ids = rows.map((row) => row.id);
      const inList = ids.map(() => '?').join(', ');
      try {
        await withTimeout(
          queue.addBulk(
            rows.map((row) => ({ name: row.type, data: { eventId: row.id }, opts: mailJobOptions(config, row.id) })),
          ),
          QUEUE_ADD_TIMEOUT_MS,
          'adding mail jobs',
        );
      } catch (error) {
        await em.execute(`update outbox_events set attempts = attempts + 1, last_error = ? where id in (${inList})`, [
          `relay: ${errorMessage(error)}`,
          ...ids,
        ]);
        return { error };
      }
      await em.execute(
        `update outbox_events set dispatched_at = clock_timestamp(), attempts = attempts + 1, last_error = null
         where id in (${inList})`,
        ids,
      );
      return { relayed: rows.length, full: rows.length === config.outbox.batchSize };
    });

  const drain = async () => {
    while (!stopped) {
      let result: BatchResult;
      try {
        result = await relayBatch();
      } catch (error) {
        result = { error };
      }
      if ('error' in result) {
        metrics.relayErrors.inc();
        logger.warn({ err: result.error }, 'outbox relay pass failed; events stay undispatched until the next pass');
        return;
      }
      if (result.relayed) {
        metrics.relayed.inc(result.relayed);
        logger.debug({ relayed: result.relayed }, 'outbox events relayed');
      }
      if (!result.full) return;
    }
  };

  /** Runs a pass now, or right after the current one (wake-ups during a pass are coalesced). */
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await drain();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };

  const listener = startOutboxListener({ databaseUrl: config.db.url, logger, onWake: wake });
  const sweep = setInterval(wake, config.outbox.sweepIntervalMs);

  return {
    wake,
    started: listener.started,
    /** Stops listening and sweeping and waits for the pass in progress. */
    async stop() {
      stopped = true;
      clearInterval(sweep);
      await listener.stop();
      await running;
    },
  };
}

export type OutboxRelay = ReturnType<typeof startOutboxRelay>;

/** Undispatched rows and the age of the oldest (the relay lag), for the metrics endpoint. */
export async function outboxBacklog(orm: MikroORM): Promise<{ count: number; oldestAgeSeconds: number }> {
  const [row] = await orm.em.fork().execute<{ count: number; age: number }[]>(
    `select count(*)::int as count,
            coalesce(extract(epoch from clock_timestamp() - min(created_at)), 0)::float8 as age
     from outbox_events where dispatched_at is null`,
  );
  return { count: row?.count ?? 0, oldestAgeSeconds: row?.age ?? 0 };
}
