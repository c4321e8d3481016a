import { ensureTemplateDatabase } from './packages/db/src/testing/index.js';

/** Migrates the template database once per run; each test file copies it (see db/testing). */
export default async function setup(): Promise<void> {
  process.env.INKWELL_TEST_TEMPLATE = await ensureTemplateDatabase();
}
