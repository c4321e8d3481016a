/**
 * The docs' code blocks, run (see doc-blocks.ts for the markers). A system like the quickstart's
 * runs for them: api, worker and maildev as processes with the environment of .env.example, on
 * a copy of the migrated database with the seed data, a Redis prefix of its own and free ports.
 * The docs use .env.example's default addresses; each is mapped to this system's.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv, promisify } from 'node:util';
import { createOrm, seedDatabase } from '@inkwell/db';
import {
  createTestDatabase,
  freePort,
  type SpawnedProcess,
  spawnEntry,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueRedisPrefix,
  waitFor,
} from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientBuildIsStale, withClientBuildLock } from '../src/client-build.js';
import { repoRoot } from '../src/env-file.js';
import { type DocBlock, docBlocks, docFiles, RUNNABLE_LANGUAGES } from './doc-blocks.js';

const run = promisify(execFile);
const blocks = docFiles(repoRoot).flatMap((file) => docBlocks(repoRoot, file));
const runnable = blocks.filter((block) => block.mode.kind === 'run');

let database: TestDatabase;
const processes: SpawnedProcess[] = [];
/** Default address of the docs (.env.example) -> this system's. */
const addresses = new Map<string, string>();

function localize(code: string): string {
  let out = code;
  for (const [from, to] of addresses) out = out.replaceAll(`127.0.0.1:${from}`, to).replaceAll(`localhost:${from}`, to);
  return out;
}

async function answers(url: string): Promise<boolean> {
  return fetch(url).then(
    (response) => response.ok,
    () => false,
  );
}

beforeAll(async () => {
  if (!runnable.length) return;
  database = await createTestDatabase();
  const orm = await createOrm({ databaseUrl: database.url, poolMax: 2 });
  try {
    await seedDatabase(orm.em.fork());
  } finally {
    await orm.close(true);
  }
  const example = parseEnv(readFileSync(join(repoRoot, '.env.example'), 'utf8'));
  const [api, worker, smtp, inbox] = [await freePort(), await freePort(), await freePort(), await freePort()];
  addresses.set(new URL(example.PUBLIC_URL ?? '').port, `127.0.0.1:${api}`);
  addresses.set(example.WORKER_METRICS_PORT ?? '', `127.0.0.1:${worker}`);
  addresses.set(example.MAIL_INBOX_PORT ?? '', `127.0.0.1:${inbox}`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(example)) if (typeof value === 'string') env[key] = value;
  Object.assign(env, {
    // test: no .env is read (the developer's must not leak in); everything else as .env.example.
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    PORT: String(api),
    PUBLIC_URL: `http://127.0.0.1:${api}`,
    WORKER_METRICS_PORT: String(worker),
    SMTP_URL: `smtp://127.0.0.1:${smtp}`,
  });
  const maildev = join(repoRoot, 'node_modules/.bin/maildev');
  const mail = spawn(
    maildev,
    ['--smtp', String(smtp), '--ip', '127.0.0.1', '--web', String(inbox), '--web-ip', '127.0.0.1'],
    {
      stdio: 'ignore',
    },
  );
  processes.push({ child: mail, output: () => '', exited: new Promise((resolve) => mail.on('exit', resolve)) });
  processes.push(spawnEntry('api/src/main.ts', env), spawnEntry('worker/src/main.ts', env));
  await waitFor(
    async () =>
      (await answers(`http://127.0.0.1:${api}/readyz`)) &&
      (await answers(`http://127.0.0.1:${worker}/healthz`)) &&
      (await answers(`http://127.0.0.1:${inbox}/api/healthz`)),
    90_000,
    250,
  );
}, 120_000);

afterAll(async () => {
  for (const process of processes) {
    if (process.child.exitCode === null) process.child.kill('SIGTERM');
    await process.exited;
  }
  await database?.drop();
}, 60_000);

/** How a reader runs the block: a shell block in bash at the repo root; a TS file there via tsx. */
async function runBlock(block: DocBlock): Promise<{ code: number; output: string }> {
  const code = localize(block.code);
  const result = async (file: string, args: string[], cwd = repoRoot) =>
    run(file, args, { cwd, timeout: 90_000, env: process.env }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: unknown) => ({
        code: Number(Reflect.get(Object(error), 'code')) || 1,
        output: `${Reflect.get(Object(error), 'stdout')}${Reflect.get(Object(error), 'stderr')}`,
      }),
    );
  if (['sh', 'bash', 'shell'].includes(block.lang)) return result('bash', ['-euo', 'pipefail', '-c', code]);
  // A scratch file in the repository root resolves @inkwell/client like the reader's does:
  // through node_modules to the built package (dist/), which the quickstart builds.
  const scratch = join(repoRoot, `doc-snippet-${randomBytes(4).toString('hex')}.${block.lang}`);
  writeFileSync(scratch, code);
  try {
    return await withClientBuildLock(async () => {
      if (clientBuildIsStale()) {
        const tsx = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
        const build = await result(process.execPath, [tsx, 'scripts/build.ts'], join(repoRoot, 'packages/client'));
        if (build.code !== 0) return build;
      }
      return result('npx', ['--no-install', 'tsx', scratch]);
    });
  } finally {
    rmSync(scratch, { force: true });
  }
}

describe('code blocks of README.md, docs/ and the package READMEs', () => {
  it('README.md is a guide of at most 200 lines', () => {
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(200);
  });

  it('every block in a language that runs says how it is proved (run, proved-by= or norun=)', () => {
    const unmarked = blocks.filter((block) => RUNNABLE_LANGUAGES.has(block.lang) && block.mode.kind === 'unmarked');
    expect(unmarked.map((block) => `${block.file}:${block.line}`)).toEqual([]);
  });

  it('every proved-by file exists and contains each line of its block', () => {
    for (const block of blocks) {
      if (block.mode.kind !== 'proved-by') continue;
      const proof = join(repoRoot, block.mode.file);
      expect({ block: `${block.file}:${block.line}`, exists: existsSync(proof) }).toEqual({
        block: `${block.file}:${block.line}`,
        exists: true,
      });
      const text = readFileSync(proof, 'utf8');
      for (const line of block.code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))) {
        expect({ block: `${block.file}:${block.line}`, line, found: text.includes(line.trim()) }).toEqual({
          block: `${block.file}:${block.line}`,
          line,
          found: true,
        });
      }
    }
  });

  it('every `npm run <script>` the docs name is a script of the root package.json', () => {
    const manifest = z.object({ scripts: z.record(z.string(), z.string()) });
    const scripts = Object.keys(
      manifest.parse(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))).scripts,
    );
    const named = docFiles(repoRoot).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1] ?? ''),
    );
    expect(named.length).toBeGreaterThan(5);
    expect([...new Set(named)].filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('the README runs its SDK snippet, a REST call and a mail', () => {
    const readme = runnable.filter((block) => block.file === 'README.md');
    expect(readme.some((block) => block.lang === 'ts' && block.code.includes("from '@inkwell/client'"))).toBe(true);
    expect(readme.some((block) => block.code.includes('/api/'))).toBe(true);
    expect(readme.some((block) => block.code.includes('/api/email'))).toBe(true);
  });

  for (const block of runnable) {
    it(`${block.file}:${block.line} (${block.lang}) runs and exits 0`, async () => {
      const { code, output } = await runBlock(block);
      expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
      expect(output.trim().length).toBeGreaterThan(0);
    }, 180_000);
  }
});
