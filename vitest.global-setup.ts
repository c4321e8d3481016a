import { missingPrerequisites, testServers } from './packages/devenv/src/prerequisites.js';

/**
 * Checks what the suite needs (naming each missing piece with its fix), points every test file
 * at the servers it found, then migrates the template database once per run (each test file
 * copies it, see db/testing).
 */
export default async function setup(): Promise<void> {
  const servers = testServers();
  const missing = await missingPrerequisites(servers.databaseUrl, servers.redisUrl);
  if (missing.length) {
    process.stderr.write(`\nnpm test cannot run yet:\n${missing.map((line) => `  - ${line}`).join('\n')}\n\n`);
    process.exit(1);
  }
  process.env.TEST_DATABASE_URL = servers.databaseUrl;
  process.env.TEST_REDIS_URL = servers.redisUrl;
  // Imported only now: it reads TEST_DATABASE_URL when loaded.
  const { ensureTemplateDatabase } = await import('./packages/db/src/testing/index.js');
  process.env.INKWELL_TEST_TEMPLATE = await ensureTemplateDatabase();
}
