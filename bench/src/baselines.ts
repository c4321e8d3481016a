import { mkdirSync, writeFileSync } from 'node:fs';
import { paths } from './paths.js';
import { type MeasuredProcess, startProcess, waitForListening } from './processes.js';
import type { Runtime } from './runtimes.js';

/** A baseline server of the bench: its URL and process. */
export interface BareServer {
  url: string;
  proc: MeasuredProcess;
}

/** Starts bench/runtime/bare-server.mjs on `runtime`, answering every request with `body`. */
export async function startBareServer(runtime: Runtime, body: Buffer, contentType: string): Promise<BareServer> {
  mkdirSync(paths.work, { recursive: true });
  const bodyFile = `${paths.work}bare-body-${process.pid}-${runtime.label}.bin`;
  writeFileSync(bodyFile, body);
  const proc = startProcess({
    name: `bare node:http (${runtime.label})`,
    runtime,
    entry: paths.bareServer,
    env: { BARE_BODY_FILE: bodyFile, BARE_CONTENT_TYPE: contentType },
  });
  return { url: await waitForListening(proc), proc };
}

/** Where the hand-written posts.byId service answers each variant (see handwritten/server.ts). */
export const handwrittenPaths = {
  anonymous: (id: string) => `/posts/${id}`,
  jose: (id: string) => `/jose/posts/${id}`,
  hmac: (id: string) => `/hmac/posts/${id}`,
};

/**
 * Starts the hand-written posts.byId service (TypeScript, run through tsx's loader: compiled
 * once at start, plain JavaScript afterwards) on the api's database, Redis prefix and JWT settings.
 */
export async function startHandwrittenServer(options: {
  runtime: Runtime;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
}): Promise<BareServer> {
  const proc = startProcess({
    name: `hand-written node:http + pg + ioredis + jose (${options.runtime.label})`,
    runtime: options.runtime,
    entry: paths.handwrittenServer,
    nodeFlags: ['--import', 'tsx'],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: options.redisPrefix,
      JWT_SECRET: options.jwtSecret,
    },
  });
  return { url: await waitForListening(proc), proc };
}
