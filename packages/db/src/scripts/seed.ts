import { loadDotEnv } from '../dotenv.js';
import { loadDbScriptEnv } from '../env.js';
import { createOrm } from '../orm.js';
import { seedDatabase } from '../seeders/seed.js';

loadDotEnv();
const { databaseUrl } = loadDbScriptEnv();
const orm = await createOrm({ databaseUrl, poolMax: 2 });
try {
  const result = await seedDatabase(orm.em.fork());
  console.log(`seeded: ${JSON.stringify(result)}`);
} finally {
  await orm.close(true);
}
