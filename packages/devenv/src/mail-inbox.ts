/**
 * The development mail inbox (maildev) of `pnpm dev`, listening where .env says: SMTP on the
 * address of SMTP_URL (the worker sends there), the web inbox on 127.0.0.1:MAIL_INBOX_PORT.
 */
import { spawn } from 'node:child_process';
import { ensureEnvFile, readEnv, serverOf } from './env-file.js';
import { runCommand } from './report.js';

runCommand(async () => {
  const { env } = readEnv(ensureEnvFile());
  const smtp = serverOf(env.SMTP_URL, 25);
  const args = [
    '--smtp',
    String(smtp.port),
    '--ip',
    smtp.host,
    '--web',
    String(env.MAIL_INBOX_PORT),
    '--web-ip',
    '127.0.0.1',
  ];
  const child = spawn('maildev', args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
});
