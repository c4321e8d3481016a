import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type MikroORM } from './orm.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

describe('migrations', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('apply to an empty database, then leave no drift between entities and schema', async () => {
    const applied = await orm.getMigrator().up();
    expect(applied.length).toBeGreaterThan(0);
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    // migration:check — nothing to generate against the migrated schema
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
    expect(await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('create the indexes the queries rely on', async () => {
    const rows = await orm.em
      .fork()
      .getConnection()
      .execute<{ indexname: string }[]>(`select indexname from pg_indexes where schemaname = 'public'`);
    const names = rows.map((row) => row.indexname);
    expect(names).toEqual(
      expect.arrayContaining([
        'users_email_lower_unique',
        'users_username_lower_unique',
        'posts_created_at_id_index',
        'posts_like_count_created_at_id_index',
        'posts_search_index',
        'post_likes_pkey',
        'post_tags_tag_id_index',
        'outbox_events_undispatched_index',
      ]),
    );
  });

  it('notify the outbox channel when an event commits', async () => {
    const triggers = await orm.em
      .fork()
      .getConnection()
      .execute<{ tgname: string }[]>(`select tgname from pg_trigger where tgname = 'outbox_events_notify'`);
    expect(triggers).toHaveLength(1);
  });
});
