import { ensureDatabaseExists } from '../database-admin.js';
import { loadDotEnv } from '../dotenv.js';
import { loadDbScriptEnv } from '../env.js';
import { createOrm } from '../orm.js';

loadDotEnv();
const { databaseUrl } = loadDbScriptEnv();
if (await ensureDatabaseExists(databaseUrl)) console.log('created database');
const orm = await createOrm({ databaseUrl, poolMax: 2 });
try {
  const applied = await orm.getMigrator().up();
  console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
} finally {
  await orm.close(true);
}
