import { pino } from 'pino';
import type { WorkerConfig } from './config.js';

/** The worker's one logger: JSON lines, pretty only for a human in dev. */
export function createLogger(config: Pick<WorkerConfig, 'env' | 'logLevel'>) {
  return pino({
    name: 'inkwell-worker',
    level: config.logLevel,
    redact: { paths: ['*.token', 'payload.token'], censor: '[redacted]' },
    ...(config.env === 'development' && process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
      : {}),
  });
}

export type Logger = ReturnType<typeof createLogger>;
