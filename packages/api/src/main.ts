import { ConfigError, loadDotEnv } from '@inkwell/db';
import { loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

/** Process entry: config, connections, listen, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadDotEnv();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`inkwell-api: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const deps = await createDeps(config, logger);
  const running = await startServer(deps);
  logger.info({ url: running.url }, 'api listening');

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => {
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
  process.stderr.write(`inkwell-api: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
