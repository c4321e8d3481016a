import { Agent, type ClientRequest, request } from 'node:http';
import type { Socket } from 'node:net';
import { freePort, spawnEntry, waitFor } from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from './root.js';
import { createSignedInUser } from './test/auth-helpers.js';
import { listProcedures } from './test/fuzz/catalog.js';
import { startTestApi, type TestApi, testEnv } from './test/harness.js';

interface Upload {
  request: ClientRequest;
  /** Resolves with the status and headers of the complete response, or rejects if the connection dies. */
  response: Promise<{ status: number; connection: string | undefined; body: string }>;
  finish(): void;
}

/**
 * A request whose body arrives in two parts: the server has it in flight (reading the body)
 * until `finish()` sends the rest.
 */
function slowUpload(url: string, headers: Record<string, string>): Upload {
  const body = Buffer.from(`{"title":"slow upload"${' '.repeat(20_000)}}`);
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
  });
  const response = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // Awaited later; a failing test must not turn its rejection into an unhandled one.
  response.catch(() => undefined);
  req.write(body.subarray(0, 10_000));
  return { request: req, response, finish: () => req.end(body.subarray(10_000)) };
}

type Probe = number | 'refused';

async function probeReadiness(url: string): Promise<Probe> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status;
  } catch (error) {
    const code = error instanceof Error && error.cause instanceof Error ? Reflect.get(error.cause, 'code') : undefined;
    if (code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
}

describe('graceful shutdown of the real api process', () => {
  let helper: TestApi;
  let token: string;
  // A signed-in call that reads its body: a protected mutation with an input.
  const target = listProcedures(appRouter).find((e) => e.type === 'mutation' && e.input && e.rest?.protect);

  beforeAll(async () => {
    // In-process api: only to own the database and mint a real session for the spawned one.
    helper = await startTestApi();
    token = (await createSignedInUser(helper)).accessToken;
  });
  afterAll(async () => {
    await helper?.close();
  });

  it('SIGTERM: /readyz fails first, in-flight requests complete, new connections are refused, exit 0', async () => {
    if (!target) throw new Error('appRouter has no protected mutation with an input to hold in flight');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const drainDelayMs = 1_000;
    const proc = spawnEntry(
      'api/src/main.ts',
      testEnv({
        DATABASE_URL: helper.db.url,
        REDIS_PREFIX: helper.config.redis.prefix,
        PORT: String(port),
        LOG_LEVEL: 'info',
        SHUTDOWN_DRAIN_DELAY_MS: String(drainDelayMs),
        SHUTDOWN_TIMEOUT_MS: '15000',
      }),
    );
    try {
      await waitFor(async () => (await probeReadiness(url).catch(() => 'refused')) === 200, 30_000);

      // An idle keep-alive connection: it must be closed by the server, not left hanging.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let idleSocket: Socket | undefined;
      await new Promise<void>((resolve, reject) => {
        const req = request(`${url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('socket', (socket) => {
          idleSocket = socket;
        });
        req.on('error', reject);
        req.end();
      });
      const idleClosed = new Promise<void>((resolve) => idleSocket?.once('close', () => resolve()));

      // A stream of requests in flight, started a little apart.
      const headers = { authorization: `Bearer ${token}` };
      const uploads: Upload[] = [];
      for (let i = 0; i < 5; i++) {
        uploads.push(slowUpload(`${url}/trpc/${target.path}`, headers));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));

      const signalledAt = Date.now();
      proc.child.kill('SIGTERM');
      // Signal delivery is asynchronous: probe once the process says it is shutting down.
      await waitFor(() => proc.output().includes('"msg":"shutting down"'), 5_000, 10);

      // Readiness fails at once, while the listener still accepts (the drain delay).
      const probes: Array<{ at: number; result: Probe }> = [];
      await waitFor(
        async () => {
          const result = await probeReadiness(url);
          probes.push({ at: Date.now() - signalledAt, result });
          return result === 'refused';
        },
        10_000,
        50,
      );
      expect(probes[0]?.result).toBe(503);
      expect(probes.some((p) => p.result === 200)).toBe(false);
      const refusedAt = probes.at(-1)?.at ?? 0;
      expect(refusedAt).toBeGreaterThanOrEqual(drainDelayMs - 100);

      // The requests that were in flight all along still get complete answers.
      for (const upload of uploads) upload.finish();
      const answers = await Promise.all(uploads.map((u) => u.response));
      for (const answer of answers) {
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(500);
        expect(() => JSON.parse(answer.body)).not.toThrow();
      }
      await idleClosed;
      expect(await probeReadiness(url)).toBe('refused');

      const code = await Promise.race([
        proc.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
      ]);
      expect(code).toBe(0);
      const stoppedAfterMs = Date.now() - signalledAt;
      expect(stoppedAfterMs).toBeLessThan(10_000);
      expect(proc.output()).toContain('"msg":"stopped"');
      agent.destroy();
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 60_000);
});
