import { runProcessEntry } from '@inkwell/db';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startWorker } from './worker.js';

/** Process entry: config, connections, relay and consumer; graceful shutdown on SIGTERM/SIGINT. */
runProcessEntry('inkwell-worker', loadConfig, async (config) => {
  const logger = createLogger(config);
  const worker = await startWorker(config, logger);
  logger.info('worker started');
  return { logger, stop: worker.stop, stopDeadlineMs: config.shutdownTimeoutMs + 5_000 };
});
