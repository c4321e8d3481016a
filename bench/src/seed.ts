import argon2 from 'argon2';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';

export const BENCH_PASSWORD = 'bench-password-not-secret';

/** argon2id cost the seeded hashes use: the api's configured cost, so logins never re-hash. */
export interface Argon2Cost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface BenchAuthor {
  id: string;
  email: string;
  username: string;
}

export interface SeededData {
  authors: BenchAuthor[];
  /** Newest first (the order of `posts.list` sort=new); `index` is the number in the title. */
  posts: Array<{ id: string; index: number; authorIndex: number }>;
}

const TAGS = [
  'bread',
  'soup',
  'pasta',
  'salad',
  'dessert',
  'grill',
  'vegan',
  'spicy',
  'quick',
  'baking',
  'fish',
  'rice',
];

/** A deterministic PRNG (mulberry32), so every run seeds the same text. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS =
  'flour water salt yeast knead proof bake oven crust crumb butter garlic onion simmer stir season pepper lemon herb fold rest slice serve warm golden crisp tender'.split(
    ' ',
  );

function paragraph(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(random() * WORDS.length)] ?? 'flour');
  return `${out.join(' ')}.`;
}

/** The title a post has after `version` bench updates (the mixed workload's staleness marker). */
export function benchTitle(index: number, version: number): string {
  return `Bench recipe ${index} v${version}`;
}

/**
 * Generated content for the page-size scenarios: `authors` verified users and `posts` posts of
 * about 600 bytes of markdown with two tags each, one minute apart, all by direct SQL.
 */
export async function seedBenchData(
  url: string,
  options: { authors: number; posts: number; cost: Argon2Cost },
): Promise<SeededData> {
  const random = prng(42);
  const passwordHash = await argon2.hash(BENCH_PASSWORD, { type: argon2.argon2id, ...options.cost });
  const now = Date.now();
  const authors: BenchAuthor[] = Array.from({ length: options.authors }, (_, i) => ({
    id: uuidv7(),
    email: `author${i}@bench.inkwell.test`,
    username: `bench_author_${i}`,
  }));
  const tagIds = TAGS.map(() => uuidv7());
  const posts = Array.from({ length: options.posts }, (_, i) => {
    const createdAt = new Date(now - (options.posts - i) * 60_000);
    const body = `## Method\n\n${paragraph(random, 40)}\n\n${paragraph(random, 35)}\n\n- ${paragraph(random, 6)}\n- ${paragraph(random, 6)}`;
    return {
      id: uuidv7(),
      author: authors[i % authors.length]?.id ?? '',
      title: benchTitle(i, 0),
      body,
      createdAt,
      tags: [tagIds[i % tagIds.length] ?? '', tagIds[(i * 7 + 3) % tagIds.length] ?? ''],
    };
  });

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into users (id, email, username, display_name, bio, password_hash, role, email_verified_at, created_at, updated_at)
       select id, email, username, username, '', $4, 'user', now(), now(), now()
       from unnest($1::uuid[], $2::text[], $3::text[]) as t(id, email, username)`,
      [authors.map((a) => a.id), authors.map((a) => a.email), authors.map((a) => a.username), passwordHash],
    );
    await client.query(
      `insert into tags (id, name, created_at) select id, name, now() from unnest($1::uuid[], $2::text[]) as t(id, name)`,
      [tagIds, TAGS],
    );
    await client.query(
      `insert into posts (id, author_id, title, body, like_count, comment_count, created_at, updated_at)
       select id, author_id, title, body, 0, 0, created_at, created_at
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) as t(id, author_id, title, body, created_at)`,
      [
        posts.map((p) => p.id),
        posts.map((p) => p.author),
        posts.map((p) => p.title),
        posts.map((p) => p.body),
        posts.map((p) => p.createdAt.toISOString()),
      ],
    );
    const links = posts.flatMap((p) => [...new Set(p.tags)].map((tag) => [p.id, tag] as const));
    await client.query(`insert into post_tags (post_id, tag_id) select * from unnest($1::uuid[], $2::uuid[])`, [
      links.map((l) => l[0]),
      links.map((l) => l[1]),
    ]);
    await client.query('commit');
    await client.query('analyze');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  return {
    authors,
    posts: posts.map((p, index) => ({ id: p.id, index, authorIndex: index % authors.length })).reverse(),
  };
}
