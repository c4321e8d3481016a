import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@inkwell/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FreshnessLedger, type Observation } from '../src/freshness.js';

/**
 * Scenario 3 counts stale reads with this ledger; a checker that passed stale reads (or flagged
 * fresh ones) would make its "0 stale reads" meaningless. Posts live in a database of the file's own.
 */
describe('freshness ledger', () => {
  let db: TestDatabase;
  const author = randomUUID();
  const reader = randomUUID();
  const fresh = randomUUID();
  const liked = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `insert into users (id, email, username, display_name, bio, password_hash, role, created_at, updated_at)
         select id, id || '@ledger.test', 'u' || left(replace(id::text, '-', ''), 12), 'User', '', 'x', 'user', now(), now()
         from unnest($1::uuid[]) as t(id)`,
        [[author, reader]],
      );
      await client.query(
        `insert into posts (id, author_id, title, body, like_count, comment_count, created_at, updated_at)
         values ($1, $3, 'Bench recipe 1 v0', 'body', 0, 0, now(), now()), ($2, $3, 'Bench recipe 2 v7', 'body', 1, 0, now(), now())`,
        [fresh, liked, author],
      );
      await client.query('insert into post_likes (user_id, post_id, created_at) values ($1, $2, now())', [
        reader,
        liked,
      ]);
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await db?.drop();
  });

  const read = (postId: string, from: number, to: number, seen: Observation['seen'], who: string | null = null) => ({
    postId,
    reader: who,
    from,
    to,
    seen,
  });

  it('starts from the state in the database (title version, like count, who likes it)', async () => {
    const ledger = await FreshnessLedger.load(db.url, [fresh, liked]);
    expect(ledger.current(liked)).toEqual({ version: 7, likeCount: 1, likers: [reader] });
    expect(ledger.verify(read(liked, 0, 0, { version: 7, likeCount: 1, likedByMe: true }, reader))).toBe('fresh');
    expect(ledger.verify(read(liked, 0, 0, { version: 7, likeCount: 1, likedByMe: false }, reader))).toBe('stale');
    expect(ledger.verify(read(liked, 0, 0, { version: 7, likeCount: 1, likedByMe: true }))).toBe('stale');
  });

  it('a read that started after a write was acknowledged must show it; one overlapping the write may show either', async () => {
    const ledger = await FreshnessLedger.load(db.url, [fresh]);
    const claim = ledger.claim(fresh);
    expect(claim).toEqual({ seq: 1, before: { version: 0, likeCount: 0, likers: [] } });
    expect(ledger.claim(fresh)).toBeNull(); // one write in flight per post
    const during = { from: ledger.acknowledged(fresh), to: ledger.claimed(fresh) };
    ledger.release(fresh, 1, { version: 1, likeCount: 0, likers: [] });
    const old = { version: 0, likeCount: 0, likedByMe: false };
    const updated = { version: 1, likeCount: 0, likedByMe: false };
    expect(ledger.verify(read(fresh, during.from, during.to, old))).toBe('fresh');
    expect(ledger.verify(read(fresh, during.from, during.to, updated))).toBe('fresh');
    expect(ledger.verify(read(fresh, 1, 1, old))).toBe('stale');
    expect(ledger.verify(read(fresh, 1, 1, updated))).toBe('fresh');
  });

  it('checks the like count and the reader’s likedByMe after a like', async () => {
    const ledger = await FreshnessLedger.load(db.url, [fresh]);
    const claim = ledger.claim(fresh);
    if (!claim) throw new Error('no claim');
    ledger.release(fresh, claim.seq, { ...claim.before, likeCount: 1, likers: [reader] });
    const after = { version: claim.before.version, likeCount: 1, likedByMe: true };
    expect(ledger.verify(read(fresh, 1, 1, after, reader))).toBe('fresh');
    expect(ledger.verify(read(fresh, 1, 1, { ...after, likedByMe: false }, reader))).toBe('stale');
    expect(ledger.verify(read(fresh, 1, 1, { ...after, likeCount: 0 }, reader))).toBe('stale');
    expect(ledger.verify(read(fresh, 1, 1, { ...after, likedByMe: false }))).toBe('fresh');
    expect(ledger.togglers(fresh)).toEqual([reader]);
  });

  it('a write without an answer makes its window unknown and the post unclaimable', async () => {
    const ledger = await FreshnessLedger.load(db.url, [fresh]);
    const claim = ledger.claim(fresh);
    if (!claim) throw new Error('no claim');
    ledger.release(fresh, claim.seq, null);
    expect(ledger.verify(read(fresh, 0, 1, { version: 99, likeCount: 0, likedByMe: false }))).toBe('unknown');
    expect(ledger.claim(fresh)).toBeNull();
  });
});
