import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@inkwell/db/testing';
import { type Browser, chromium, type Page } from 'playwright-core';

export const webDir = fileURLToPath(new URL('..', import.meta.url));
const viteBin = join(webDir, 'node_modules/vite/bin/vite.js');
export const CHROMIUM = '/usr/bin/chromium';

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [viteBin, ...args], {
    cwd: webDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `vite build` of the web app into a fresh directory (never the package's own dist/). */
export async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'inkwell-web-'));
  const child = run(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`vite build failed (${String(code)}):\n${output}`);
  return outDir;
}

export interface ServedWebApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a built web app with `vite preview` on a free port of 127.0.0.1, its /trpc and /api
 * proxied to `apiUrl` (the same proxy as in development, vite.config.ts). `port` may be chosen
 * by the caller (the worker needs the web origin for its links before the server starts).
 */
export async function serveWebApp(outDir: string, apiUrl: string, port?: number): Promise<ServedWebApp> {
  const listenPort = port ?? (await freePort());
  const child = run(
    ['preview', '--outDir', outDir, '--port', String(listenPort), '--strictPort', '--host', '127.0.0.1'],
    {
      INKWELL_API_URL: apiUrl,
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${listenPort}`;
  const exited = once(child, 'exit');
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`vite preview exited:\n${output}`);
      return fetch(`${url}/`).then(
        (response) => response.ok,
        () => false,
      );
    }, 30_000);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return {
    url,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function removeBuild(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
}

/** Debian's Chromium, headless, without any of its background network traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Everything that went wrong on a page: console errors, uncaught exceptions, failed requests
 * and HTTP errors, except those matching `expected` (failures a test provokes on purpose).
 */
export function watchProblems(page: Page): { problems: string[]; expect(pattern: RegExp): void } {
  const problems: string[] = [];
  const expected: RegExp[] = [];
  const note = (text: string) => {
    if (!expected.some((pattern) => pattern.test(text))) problems.push(text);
  };
  page.on('console', (message) => {
    if (message.type() === 'error') note(`console: ${message.text()} @ ${message.location().url}`);
  });
  page.on('pageerror', (error) => note(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A request the page itself gave up (a navigation away, a query the cache cancelled) failed nothing.
    if (reason === 'net::ERR_ABORTED') return;
    note(`failed: ${request.method()} ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) note(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return { problems, expect: (pattern) => expected.push(pattern) };
}
