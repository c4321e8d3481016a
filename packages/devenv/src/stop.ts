/** `npm run stop`: what the quickstart started (detached apps, private PostgreSQL and Redis). */
import { stopApps } from './apps.js';
import { stopPrivatePostgres } from './private-postgres.js';
import { stopPrivateRedis } from './redis.js';
import { runCommand, step } from './report.js';

runCommand(async (): Promise<undefined> => {
  const stopped: string[] = [];
  if (await stopApps()) stopped.push('the apps (pnpm dev in the background)');
  if (await stopPrivatePostgres()) stopped.push('the private PostgreSQL (.tmp/postgres)');
  if (await stopPrivateRedis()) stopped.push('the private Redis (.tmp/redis)');
  step(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing of the quickstart was running');
  if (stopped.length)
    step('their data stays in .tmp/ for the next npm run quickstart; rm -rf .tmp/postgres .tmp/redis deletes it');
});
