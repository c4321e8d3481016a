import { freePort } from '@inkwell/db/testing';
import { z } from 'zod';
import { httpGet, httpPost } from './load.js';
import { type MeasuredProcess, startProcess, waitUntilReady } from './processes.js';
import type { Runtime } from './runtimes.js';

/** How the bench reaches Inkwell: URL shapes and the few answers it reads (zod-checked). */

export function trpcQueryPath(procedure: string, input: unknown): string {
  return `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

export const restPostPath = (id: string) => `/api/posts/${id}`;

/**
 * Whether the REST adapter serves posts.byId on this api: scenarios that read over REST run
 * without it (and say so) when it answers 404, rather than failing as a whole.
 */
export async function restAvailable(baseUrl: string, id: string): Promise<boolean> {
  const answer = await httpGet(`${baseUrl}${restPostPath(id)}`);
  if (answer.status === 200) return true;
  if (answer.status === 404 && answer.body.includes('No route')) return false;
  throw new Error(`GET ${restPostPath(id)}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
}

export const REST_MISSING_NOTE = 'REST (GET /api/posts/{id}) answered 404 on this build: its rows are missing.';

const postShape = z.object({ id: z.string(), title: z.string(), likeCount: z.number(), likedByMe: z.boolean() });
const trpcPost = z.object({ result: z.object({ data: postShape }) });
const trpcPage = z.object({
  result: z.object({
    data: z.object({ items: z.array(z.object({ id: z.string() })), nextCursor: z.string().nullable() }),
  }),
});
const trpcLogin = z.object({ result: z.object({ data: z.object({ accessToken: z.string() }) }) });

export type PostView = z.infer<typeof postShape>;

export function parseTrpcPost(body: string): PostView {
  return trpcPost.parse(JSON.parse(body)).result.data;
}

export function parseRestPost(body: string): PostView {
  return postShape.parse(JSON.parse(body));
}

export function parseTrpcPage(body: string) {
  return trpcPage.parse(JSON.parse(body)).result.data;
}

function expectOk(what: string, answer: { status: number; body: string }): string {
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
  }
  return answer.body;
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const body = expectOk(`login ${email}`, await httpPost(`${baseUrl}/trpc/auth.login`, { email, password }));
  return trpcLogin.parse(JSON.parse(body)).result.data.accessToken;
}

const likeState = z.object({ postId: z.string(), likedByMe: z.boolean(), likeCount: z.number() });
const trpcLikeState = z.object({ result: z.object({ data: likeState }) });
export type LikeState = z.infer<typeof likeState>;

/** posts.like or posts.unlike by the token's user; null when the api refused it. */
export async function setLiked(baseUrl: string, token: string, id: string, liked: boolean): Promise<LikeState | null> {
  const answer = await httpPost(`${baseUrl}/trpc/posts.${liked ? 'like' : 'unlike'}`, { id }, bearer(token));
  return answer.status === 200 ? trpcLikeState.parse(JSON.parse(answer.body)).result.data : null;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function updatePostTitle(baseUrl: string, token: string, id: string, title: string) {
  return httpPost(`${baseUrl}/trpc/posts.update`, { id, title }, bearer(token));
}

export async function getOk(url: string, headers: Record<string, string> = {}): Promise<string> {
  return expectOk(`GET ${url}`, await httpGet(url, headers));
}

export interface ApiInstance {
  url: string;
  proc: MeasuredProcess;
}

export interface ApiStartOptions {
  name: string;
  runtime: Runtime;
  /** The built api's main.js and its checkout (this one, or another build under --compare). */
  entry: string;
  cwd: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  cacheEnabled: boolean;
  env?: Record<string, string>;
  nodeFlags?: string[];
}

/** Settings every bench api shares: production mode, quiet logs (see docs/performance.md). */
export function apiEnv(options: ApiStartOptions, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_MAX: '10',
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.redisPrefix,
    PUBLIC_URL: 'http://127.0.0.1:5173',
    SHUTDOWN_TIMEOUT_MS: '5000',
    CACHE_ENABLED: String(options.cacheEnabled),
    ...options.env,
  };
}

/** Starts a built `packages/api/dist/main.js` (plain node) and waits for /readyz. */
export async function startApi(options: ApiStartOptions): Promise<ApiInstance> {
  const port = await freePort();
  const proc = startProcess({
    name: options.name,
    runtime: options.runtime,
    entry: options.entry,
    cwd: options.cwd,
    env: apiEnv(options, port),
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(proc, `${url}/readyz`);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, proc };
}

/**
 * `inkwell_cache_requests_total{procedure, result}` from the api's /metrics (bearer token: the
 * bench gives every api one, as production requires).
 */
export async function cacheRequests(baseUrl: string, metricsToken: string, procedure: string, result: 'hit' | 'miss') {
  const text = await getOk(`${baseUrl}/metrics`, bearer(metricsToken));
  for (const line of text.split('\n')) {
    const match = /^inkwell_cache_requests_total\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1]?.includes(`procedure="${procedure}"`) && match[1].includes(`result="${result}"`))
      return Number(match[2]);
  }
  return 0;
}
