import { ConfigError, loadDotEnv } from '@inkwell/db';
import { loadConfig, type WorkerConfig } from './config.js';
import { createLogger } from './logger.js';
import { startWorker } from './worker.js';

/** Process entry: config, connections, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadDotEnv();
  let config: WorkerConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`inkwell-worker: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const worker = await startWorker(config, logger);
  logger.info('worker started');

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    worker.stop().then(
      () => {
        clearTimeout(deadline);
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`inkwell-worker: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
