import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type MikroORM } from '../orm.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { seedDatabase } from './seed.js';

async function counts(orm: MikroORM) {
  const [row] = await orm.em
    .fork()
    .getConnection()
    .execute<Record<string, string>[]>(`
    select (select count(*) from users) as users, (select count(*) from posts) as posts,
           (select count(*) from tags) as tags, (select count(*) from post_tags) as post_tags,
           (select count(*) from comments) as comments, (select count(*) from post_likes) as likes`);
  return row;
}

describe('seeder', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('is idempotent: a second run changes nothing', async () => {
    const first = await seedDatabase(orm.em.fork());
    const afterFirst = await counts(orm);
    await seedDatabase(orm.em.fork());
    expect(await counts(orm)).toEqual(afterFirst);
    expect(Number(afterFirst?.users)).toBe(first.users);
    expect(Number(afterFirst?.likes)).toBe(first.likes);
  });

  it('seeds an admin, an unverified user, a nested thread and counters equal to the truth', async () => {
    const conn = orm.em.fork().getConnection();
    const admins = await conn.execute(`select 1 from users where role = 'admin' and email_verified_at is not null`);
    expect(admins.length).toBe(1);
    const unverified = await conn.execute('select 1 from users where email_verified_at is null');
    expect(unverified.length).toBeGreaterThan(0);
    const [depth] = await conn.execute<{ depth: number }[]>(`
      with recursive thread as (
        select id, 0 as depth from comments where parent_id is null
        union all select c.id, t.depth + 1 from comments c join thread t on c.parent_id = t.id)
      select max(depth) as depth from thread`);
    expect(depth?.depth).toBeGreaterThanOrEqual(3);
    const wrongCounters = await conn.execute(`
      select p.id from posts p
      where p.like_count <> (select count(*) from post_likes l where l.post_id = p.id)
         or p.comment_count <> (select count(*) from comments c where c.post_id = p.id and c.deleted_at is null)`);
    expect(wrongCounters).toEqual([]);
  });
});
