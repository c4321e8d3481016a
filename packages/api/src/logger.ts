import { pino } from 'pino';
import type { Config } from './config.js';

/** The api's one logger: JSON lines, secrets redacted, pretty only for a human in dev. */
export function createLogger(config: Pick<Config, 'env' | 'logLevel'>) {
  return pino({
    name: 'inkwell-api',
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*.token',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
    ...(config.env === 'development' && process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
      : {}),
  });
}

export type Logger = ReturnType<typeof createLogger>;
