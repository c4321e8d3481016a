import { runProcessEntry } from '@inkwell/db';
import { loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

/** Process entry: config, connections, listen; graceful shutdown on SIGTERM/SIGINT. */
runProcessEntry('inkwell-api', loadConfig, async (config) => {
  const logger = createLogger(config);
  const deps = await createDeps(config, logger);
  const running = await startServer(deps);
  logger.info({ url: running.url }, 'api listening');
  return {
    logger,
    stop: running.stop,
    // stop() itself closes lingering connections after SHUTDOWN_TIMEOUT_MS; this is the backstop.
    stopDeadlineMs: config.shutdownDrainDelayMs + config.shutdownTimeoutMs + 5_000,
  };
});
