import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { type LatencySummary, summarize } from './stats.js';

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Answers with another status than `expectStatus` (default: any non-2xx). */
  unexpected: number;
}

export interface CannonOptions {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  amount?: number;
  /** Paths cycled through per connection (many keys); default: the path of `url`. */
  paths?: string[];
  headers?: Record<string, string>;
  /** The one status every answer must have (e.g. 304); default: any 2xx. */
  expectStatus?: number;
}

/** One autocannon run (single thread, in this process). Every unexpected status is counted. */
export async function cannon(options: CannonOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.paths ? { requests: options.paths.map((path) => ({ method: 'GET' as const, path })) } : {}),
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    unexpected:
      options.expectStatus === undefined
        ? result.non2xx
        : result.requests.total - (result.statusCodeStats?.[`${options.expectStatus}`]?.count ?? 0),
  };
}

export interface ClosedLoopResult extends LatencySummary {
  /** Completed iterations per second over the whole run. */
  perSecond: number;
  elapsedMs: number;
}

/**
 * `concurrency` loops each running `task` back to back until `durationMs` has passed and at
 * least `minIterations` finished (never past `maxMs`). Latency is per task, so a task may be
 * several requests (walking every page of a list).
 */
export async function closedLoop(options: {
  concurrency: number;
  durationMs: number;
  minIterations?: number;
  maxMs?: number;
  task: (loop: number) => Promise<void>;
}): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const maxMs = options.maxMs ?? options.durationMs * 3;
  const minIterations = options.minIterations ?? 0;
  const keepGoing = () => {
    const elapsed = performance.now() - started;
    return elapsed < maxMs && (elapsed < options.durationMs || latencies.length < minIterations);
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, loop) => {
      while (keepGoing()) {
        const t0 = performance.now();
        await options.task(loop);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  return { ...summarize(latencies), perSecond: (latencies.length * 1000) / elapsedMs, elapsedMs };
}

/** Keep-alive HTTP client for the closed-loop scenarios (undici: the cheapest client per request). */
export const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000, pipelining: 1 });

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await request(url, { dispatcher: agent, headers });
  return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
}

export async function httpPost(url: string, json: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  });
  return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
}
