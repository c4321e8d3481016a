import { OUTBOX_NOTIFY_CHANNEL } from '@inkwell/db';
import pg from 'pg';
import type { Logger } from '../logger.js';

const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * A dedicated PostgreSQL connection LISTENing on the outbox channel (a pooled connection cannot
 * hold a LISTEN). Calls `onWake` for every notification and after every (re)connect, since
 * notifications sent while it was disconnected are lost; reconnects with a growing delay.
 */
export function startOutboxListener(options: { databaseUrl: string; logger: Logger; onWake: () => void }) {
  const { databaseUrl, logger, onWake } = options;
  let client: pg.Client | null = null;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 200 * 2 ** failures);
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: 'inkwell-worker-outbox-listener' });
    next.on('error', (error) => logger.warn({ err: error }, 'outbox listener connection error'));
    next.on('end', () => {
      if (client === next) client = null;
      if (!stopped) {
        logger.warn('outbox listener disconnected; reconnecting');
        scheduleReconnect();
      }
    });
    next.on('notification', () => onWake());
    try {
      await next.connect();
      await next.query(`listen ${OUTBOX_NOTIFY_CHANNEL}`);
    } catch (error) {
      logger.warn({ err: error }, 'outbox listener could not connect; retrying');
      await next.end().catch(() => undefined);
      scheduleReconnect();
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    failures = 0;
    onWake();
  };

  const started = connect();
  return {
    /** Resolves after the first connection attempt (successful or not). */
    started,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await started;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
