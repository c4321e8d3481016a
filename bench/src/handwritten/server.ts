// The same-run baseline of scenario 1: posts.byId written by hand with node:http + pg + ioredis
// + jose on the api's database, Redis and JWT secret, answering the bytes of Inkwell's tRPC
// answer. A read-path baseline only: it never invalidates (nothing writes while it is measured).
//   GET /posts/<id>       anonymous: the stored bytes from Redis (SQL on a miss)
//   GET /jose/posts/<id>  signed in: jose jwtVerify, session SQL, likedByMe SQL, entry from Redis
//   GET /hmac/posts/<id>  signed in: node:crypto HMAC with jose's claim checks; entry, session and
//                         likes from Redis in one pipelined round trip (SQL only to fill a miss)
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { z } from 'zod';
import { type Subject, tokenVerifiers } from './tokens.js';

const env = z
  .object({
    DATABASE_URL: z.string(),
    REDIS_URL: z.string(),
    REDIS_PREFIX: z.string(),
    JWT_SECRET: z.string().min(32),
    JWT_ISSUER: z.string().default('inkwell'),
    JWT_AUDIENCE: z.string().default('inkwell-api'),
  })
  .parse(process.env);
const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const redis = new Redis(env.REDIS_URL, { keyPrefix: `${env.REDIS_PREFIX}handwritten:` });
const verify = tokenVerifiers({ secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE });

const postRow = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  author: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  likeCount: z.number(),
  commentCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const ms = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const POST_SQL = `select p.id, p.title, p.body,
  coalesce((select array_agg(t.name order by t.name) from post_tags pt join tags t on t.id = pt.tag_id
            where pt.post_id = p.id), '{}') as tags,
  json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) as author,
  p.like_count as "likeCount", p.comment_count as "commentCount",
  ${ms('p.created_at')} as "createdAt", ${ms('p.updated_at')} as "updatedAt"
  from posts p join users u on u.id = p.author_id where p.id = $1`;
const SESSION_SQL = `select u.role from sessions s join users u on u.id = s.user_id
  where s.id = $1 and s.user_id = $2 and s.revoked_at is null and s.expires_at > now() and u.disabled_at is null`;
const sessionRow = z.object({ role: z.string() });
const likeRows = z.array(z.object({ post_id: z.string() }));

/** The post without likedByMe (shared by every viewer), stored as bytes; null if there is none. */
async function storedPost(id: string, cached?: string | null): Promise<string | null> {
  if (cached) return cached;
  const { rows } = await db.query({ name: 'post', text: POST_SQL, values: [id] });
  if (rows.length === 0) return null;
  const json = JSON.stringify(postRow.parse(rows[0]));
  await redis.set(`post:${id}`, json, 'EX', 300);
  return json;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
/** tRPC's envelope around the stored post, with likedByMe spliced in before its closing brace. */
const answer = (post: string, liked: boolean) => `{"result":{"data":${post.slice(0, -1)},"likedByMe":${liked}}}}`;

async function handle(path: string, authorization: string | undefined): Promise<[number, string]> {
  const match = /^\/(?:(jose|hmac)\/)?posts\/([0-9a-f-]{36})$/.exec(path);
  if (!match?.[2]) return [404, '{"code":"NOT_FOUND"}'];
  const [, mode, id] = match;
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!mode) {
    const post = await storedPost(id, await redis.get(`post:${id}`));
    return post ? [200, answer(post, false)] : [404, '{"code":"NOT_FOUND"}'];
  }
  if (!token) return [401, '{"code":"UNAUTHORIZED"}'];
  let subject: Subject;
  try {
    subject = mode === 'jose' ? await verify.jose(token) : verify.hmac(token);
  } catch {
    return [401, '{"code":"UNAUTHORIZED"}'];
  }
  let liked: boolean;
  let post: string | null;
  if (mode === 'jose') {
    const session = await db.query({ name: 'session', text: SESSION_SQL, values: [subject.sid, subject.sub] });
    if (!sessionRow.safeParse(session.rows[0]).success) return [401, '{"code":"UNAUTHORIZED"}'];
    post = await storedPost(id, await redis.get(`post:${id}`));
    const likes = await db.query({
      name: 'liked',
      text: 'select post_id from post_likes where user_id = $1 and post_id = $2',
      values: [subject.sub, id],
    });
    liked = likeRows.parse(likes.rows).length > 0;
  } else {
    const replies = await redis
      .pipeline()
      .get(`post:${id}`)
      .get(`session:${subject.sid}`)
      .exists(`likes:${subject.sub}`)
      .sismember(`likes:${subject.sub}`, id)
      .exec();
    const [entry, session, hasLikes, isMember] = (replies ?? []).map(([error, value]) => (error ? null : value));
    if (session !== subject.sub) {
      const row = await db.query({ name: 'session', text: SESSION_SQL, values: [subject.sid, subject.sub] });
      if (!sessionRow.safeParse(row.rows[0]).success) return [401, '{"code":"UNAUTHORIZED"}'];
      await redis.set(`session:${subject.sid}`, subject.sub, 'EX', 60);
    }
    if (hasLikes === 1) liked = isMember === 1;
    else {
      const rows = await db.query({
        name: 'likes',
        text: 'select post_id from post_likes where user_id = $1',
        values: [subject.sub],
      });
      const ids = likeRows.parse(rows.rows).map((row) => row.post_id);
      await redis
        .multi()
        .del(`likes:${subject.sub}`)
        .sadd(`likes:${subject.sub}`, '', ...ids)
        .expire(`likes:${subject.sub}`, 300)
        .exec();
      liked = ids.includes(id);
    }
    post = await storedPost(id, typeof entry === 'string' ? entry : null);
  }
  return post ? [200, answer(post, liked)] : [404, '{"code":"NOT_FOUND"}'];
}

const server = createServer((req, res) => {
  handle(req.url ?? '', req.headers.authorization).then(
    ([status, body]) => send(res, status, body),
    () => send(res, 500, '{"code":"INTERNAL_SERVER_ERROR"}'),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => void Promise.all([db.end(), redis.quit()]).finally(() => process.exit(0)));
  server.closeAllConnections();
});
