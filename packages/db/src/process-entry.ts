import { loadDotEnv } from './dotenv.js';
import { ConfigError } from './env.js';

interface EntryLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface StartedProcess {
  logger: EntryLogger;
  /** Graceful stop: finish in-flight work, close connections. */
  stop(): Promise<void>;
  /** Hard limit for `stop()`; past it the process exits 1 rather than hang. */
  stopDeadlineMs: number;
}

/**
 * The one shape of a process entry (api, worker): `.env` in development, a validated config (a
 * bad or missing variable exits 1 with a message naming it), start, and a graceful stop on
 * SIGTERM/SIGINT that exits 0, or 1 if stopping fails or overruns its deadline.
 */
export function runProcessEntry<Config>(
  name: string,
  loadConfig: (env: NodeJS.ProcessEnv) => Config,
  start: (config: Config) => Promise<StartedProcess>,
): void {
  const main = async () => {
    loadDotEnv();
    let config: Config;
    try {
      config = loadConfig(process.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
    const started = await start(config);
    const shutdown = (signal: NodeJS.Signals) => {
      started.logger.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => {
        started.logger.error({ deadlineMs: started.stopDeadlineMs }, 'shutdown timed out');
        process.exit(1);
      }, started.stopDeadlineMs);
      started.stop().then(
        () => {
          clearTimeout(deadline);
          started.logger.info({}, 'stopped');
          process.exit(0);
        },
        (error: unknown) => {
          started.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${name}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
