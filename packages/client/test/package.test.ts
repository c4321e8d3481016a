import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser } from '../../api/src/test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../api/src/test/harness.js';
import { clientBuildIsStale, withClientBuildLock } from '../../devenv/src/client-build.js';
import { FORBIDDEN_IN_DTS } from '../scripts/forbidden.js';

const run = promisify(execFile);
const clientDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(clientDir, '../..');
const fixtures = join(clientDir, 'test/consumer');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
const tsx = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');

/** pnpm from PATH, else the repo's corepack shim (scripts/lib.sh), else corepack itself. */
function pnpmCommand(): { file: string; args: string[] } {
  const onPath = (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, 'pnpm')));
  if (onPath) return { file: 'pnpm', args: [] };
  const shim = join(repoRoot, '.tmp/corepack-bin/pnpm');
  if (existsSync(shim)) return { file: shim, args: [] };
  return { file: join(dirname(process.execPath), 'corepack'), args: ['pnpm'] };
}

async function exec(file: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  try {
    return await run(file, args, {
      cwd,
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', ...env },
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    // execFile's error carries stdout/stderr: show them, tsc reports on stdout.
    const detail = error instanceof Error ? error : new Error(String(error));
    const stdout: unknown = Reflect.get(detail, 'stdout');
    const stderr: unknown = Reflect.get(detail, 'stderr');
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}\n${String(stdout)}\n${String(stderr)}`);
  }
}

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    // @trpc/client's own declarations use DOM's fetch and WebSocket types.
    lib: ['ES2023', 'DOM'],
    types: ['node'],
    strict: true,
    // Our declarations and the libraries they import are checked too.
    skipLibCheck: false,
    outDir: 'out',
  },
  include: ['*.ts', '*.cts'],
  // Compiled on its own, with declarations (see the helper-package test).
  exclude: ['helper'],
};

const CONSUMER_PACKAGE = {
  name: 'inkwell-consumer',
  private: true,
  type: 'module',
  dependencies: {
    '@inkwell/client': 'file:./inkwell-client.tgz',
    '@tanstack/react-query': '5.108.0',
    react: '19.3.1',
  },
  devDependencies: { '@types/node': '20.19.8', '@types/react': '19.2.7' },
};

/**
 * `npm install` of the tarball into a project outside the workspace (the OS temp dir: no
 * workspace links, no path aliases), cached by the tarball's hash: an unchanged package is
 * installed once. Installs happen in a private directory renamed into place, so concurrent
 * runs (several worktrees) never share a half-installed one.
 */
async function installedConsumer(tarball: string, hash: string): Promise<string> {
  const dir = join(tmpdir(), `inkwell-consumer-${hash}`);
  if (existsSync(join(dir, '.installed'))) {
    // Marks it in use, for pruneStaleConsumers.
    utimesSync(dir, new Date(), new Date());
    return dir;
  }
  const staging = mkdtempSync(`${dir}.installing-`);
  cpSync(tarball, join(staging, 'inkwell-client.tgz'));
  writeFileSync(join(staging, 'package.json'), JSON.stringify(CONSUMER_PACKAGE));
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], staging);
  writeFileSync(join(staging, '.installed'), new Date().toISOString());
  // Left by an interrupted run (never marked installed): replace it.
  if (existsSync(dir) && !existsSync(join(dir, '.installed'))) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another run installed the same tarball first: use theirs.
    if (!existsSync(join(dir, '.installed'))) throw error;
  }
  return dir;
}

/**
 * Builds and packs the client, installs the tarball (see `installedConsumer`) and lays out this
 * run's consumer project: the fixtures, a tsconfig, and the installed node_modules.
 */
async function prepareConsumer(): Promise<{ dir: string; tarballFiles: string[] }> {
  const packDir = mkdtempSync(join(tmpdir(), 'inkwell-pack-'));
  try {
    // dist/ is shared with the doc test and the quickstart: build (unless a build newer than
    // every source is there) and pack it without one of them rewriting it meanwhile.
    await withClientBuildLock(async () => {
      if (clientBuildIsStale()) {
        await exec(process.execPath, [tsx, '--conditions=@inkwell/source', 'scripts/build.ts'], clientDir);
      }
      const pnpm = pnpmCommand();
      await exec(pnpm.file, [...pnpm.args, 'pack', '--pack-destination', packDir], clientDir);
    });
    const [tarballName] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
    if (!tarballName) throw new Error('pnpm pack wrote no tarball');
    const tarball = join(packDir, tarballName);
    const hash = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 16);
    pruneStaleConsumers();
    const listing = await exec('tar', ['-tzf', tarball], packDir);
    const installed = await installedConsumer(tarball, hash);

    const dir = mkdtempSync(join(tmpdir(), 'inkwell-consumer-run-'));
    cpSync(fixtures, dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(CONSUMER_PACKAGE));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    symlinkSync(join(installed, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { dir, tarballFiles: listing.stdout.split('\n').filter(Boolean) };
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

/** Consumer installs and run directories untouched for a day (a run is never that long). */
function pruneStaleConsumers(): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (name.startsWith('inkwell-consumer-') && statSync(path).mtimeMs < dayAgo) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

let consumer: { dir: string; tarballFiles: string[] };
/** tsc over the consumer project, emitting out/ (for the live run) as it checks. */
let compile: { ok: boolean; output: string };

beforeAll(async () => {
  consumer = await prepareConsumer();
  compile = await run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: consumer.dir }).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (error: unknown) => ({ ok: false, output: String(Reflect.get(Object(error), 'stdout')) }),
  );
}, 300_000);

afterAll(() => {
  if (consumer) rmSync(consumer.dir, { recursive: true, force: true });
});

describe('the packed @inkwell/client in a consumer project', () => {
  it('ships only dist/, README, LICENSE and package metadata', () => {
    const files = consumer.tarballFiles.map((f) => f.replace(/^package\//, ''));
    expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.cjs',
        'dist/index.d.ts',
        'dist/index.d.cts',
        'dist/react.d.ts',
      ]),
    );
  });

  it('is publishable: not private, no source-only export condition, the notice of the bundled code', () => {
    const installed = join(consumer.dir, 'node_modules/@inkwell/client');
    const manifest: unknown = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(Reflect.get(Object(manifest), 'private')).toBeUndefined();
    expect(Reflect.get(Object(manifest), 'license')).toBe('MIT');
    const exportsMap = JSON.stringify(Reflect.get(Object(manifest), 'exports'));
    expect(exportsMap).toContain('./dist/react.js');
    expect(exportsMap).not.toContain('@inkwell/source');
    expect(exportsMap).not.toContain('./src/');
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8');
    expect(license).toContain('@trpc/tanstack-react-query');
    expect(license).toContain('Copyright (c) 2023 Alex Johansson');
    expect(readFileSync(join(installed, 'README.md'), 'utf8')).toContain('refreshMode');
  });

  it('carries the zod field descriptions into the declarations', () => {
    const dts = readFileSync(join(consumer.dir, 'node_modules/@inkwell/client/dist/index.d.ts'), 'utf8');
    expect(dts).toMatch(/\/\*\* Full-text search over title and body[^*]*\*\/\s*q\?: string;/);
    expect(dts).toMatch(
      /\/\*\* Opaque position: the `nextCursor` of the previous page[^*]*\*\/\s*cursor\?: null \| string;/,
    );
  });

  it('a helper package that exports query options emits its declarations (no TS4058)', async () => {
    const helperDir = join(consumer.dir, 'helper');
    symlinkSync(join(consumer.dir, 'node_modules'), join(helperDir, 'node_modules'), 'dir');
    const result = await run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: helperDir }).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (error: unknown) => ({ ok: false, output: String(Reflect.get(Object(error), 'stdout')) }),
    );
    expect(result).toEqual({ ok: true, output: '' });
    const emitted = readFileSync(join(helperDir, 'out/index.d.ts'), 'utf8');
    expect(emitted).toContain('export declare const usePostOptions');
    expect(emitted).toContain('@inkwell/client/react');
  }, 120_000);

  it('installs self-contained declarations (no api sources, express, MikroORM, ioredis, pino)', () => {
    const dist = join(consumer.dir, 'node_modules/@inkwell/client/dist');
    const declarations = readdirSync(dist).filter((name) => /\.d\.c?ts$/.test(name));
    expect(declarations.sort()).toEqual(['index.d.cts', 'index.d.ts', 'react.d.cts', 'react.d.ts']);
    for (const name of declarations) {
      const specifiers = [
        ...readFileSync(join(dist, name), 'utf8').matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g),
      ].map((m) => m[1]);
      const allowed = specifiers.filter(
        (s) => s?.startsWith('@trpc/') || s === 'react' || s === '@tanstack/react-query',
      );
      expect({ name, specifiers }).toEqual({ name, specifiers: allowed });
      for (const forbidden of FORBIDDEN_IN_DTS) expect(specifiers).not.toContain(forbidden);
    }
  });

  it('type-checks with tsc, and every @ts-expect-error is needed', () => {
    expect(compile).toEqual({ ok: true, output: '' });
  });

  it('each @ts-expect-error marks the error it promises, and only that', async () => {
    // Without the directives the same files must fail exactly on the marked lines.
    const guarded = ['type-errors.ts', 'react-usage.ts'];
    const expected: string[] = [];
    const unguardedDir = join(consumer.dir, 'unguarded');
    mkdirSync(unguardedDir, { recursive: true });
    for (const file of guarded) {
      const lines = readFileSync(join(consumer.dir, file), 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (line.trim().startsWith('// @ts-expect-error')) expected.push(`${file}:${index + 2}`);
      });
      writeFileSync(
        join(unguardedDir, file),
        lines.map((l) => l.replace('@ts-expect-error', 'expected error:')).join('\n'),
      );
    }
    writeFileSync(
      join(unguardedDir, 'tsconfig.json'),
      JSON.stringify({
        ...CONSUMER_TSCONFIG,
        // Library declarations were checked by the full compile above.
        compilerOptions: {
          ...CONSUMER_TSCONFIG.compilerOptions,
          typeRoots: ['../node_modules/@types'],
          skipLibCheck: true,
        },
        files: guarded,
      }),
    );
    const result = await run(process.execPath, [tsc, '-p', '.', '--noEmit', '--pretty', 'false'], {
      cwd: unguardedDir,
    }).then(
      () => ({ stdout: '' }),
      (error: unknown) => ({ stdout: String(Reflect.get(Object(error), 'stdout')) }),
    );
    const reported = [
      ...new Set([...result.stdout.matchAll(/^([\w-]+\.ts)\((\d+),\d+\): error/gm)].map((m) => `${m[1]}:${m[2]}`)),
    ];
    expect(reported.sort()).toEqual(expected.sort());
  }, 120_000);

  it('loads through require() (CommonJS build)', async () => {
    const script = `const c = require('@inkwell/client'); const r = require('@inkwell/client/react');
      console.log([typeof c.createInkwellClient, typeof c.isInkwellError, typeof r.useInkwell, typeof r.InkwellProvider].join())`;
    const { stdout } = await exec(process.execPath, ['-e', script], consumer.dir);
    expect(stdout.trim()).toBe('function,function,function,function');
  });

  describe('against a live api', () => {
    const accessTokenTtlSeconds = 1;
    let api: TestApi;

    beforeAll(async () => {
      api = await startTestApi({ env: { ACCESS_TOKEN_TTL_SECONDS: String(accessTokenTtlSeconds) } });
    });
    afterAll(async () => {
      await api?.close();
    });

    it('logs in, creates a post, survives an access-token expiry by refreshing, reads the post back', async () => {
      const user = await createSignedInUser(api);
      // The api accepts tokens up to 5 s past `exp` (clock tolerance): wait past both.
      const waitMs = (accessTokenTtlSeconds + 5 + 1) * 1000;
      const { stdout } = await exec(process.execPath, ['out/consumer.js'], consumer.dir, {
        INKWELL_URL: `${api.url}/trpc`,
        INKWELL_EMAIL: user.email,
        INKWELL_PASSWORD: user.password,
        INKWELL_EXPIRY_WAIT_MS: String(waitMs),
      });
      const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');

      expect(seen).toMatchObject({
        userId: user.userId,
        meId: user.userId,
        readTitle: 'Written by the packed client',
        readTags: ['sdk'],
        moreTitles: Array(3).fill('Written by the packed client'),
        refreshesAfterExpiry: 1,
        tokenRotated: true,
        notFound: true,
      });
      const row = await api.deps.orm.em.fork().execute('select title from posts where id = ?', [seen.postId], 'get');
      expect(row).toEqual({ title: 'Written by the packed client' });
    }, 60_000);

    it('answers 25 queries of one tick in batches within the limit, and walks an infinite query', async () => {
      const user = await createSignedInUser(api);
      const { stdout } = await exec(process.execPath, ['out/concurrency.js'], consumer.dir, {
        INKWELL_URL: `${api.url}/trpc`,
        INKWELL_EMAIL: user.email,
        INKWELL_PASSWORD: user.password,
      });
      const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      expect(seen).toMatchObject({ answered: 25, allFound: true, error: null, pageSizes: [2, 2, 1] });
      expect(seen.batchSizes.reduce((a: number, b: number) => a + b, 0)).toBe(25);
      expect(Math.max(...seen.batchSizes)).toBeLessThanOrEqual(20);
      expect([...seen.titles].sort()).toEqual([0, 1, 2, 3, 4].map((i) => `Page post ${i}`));
    }, 60_000);

    it('in a browser (a document exists) refreshes by the httpOnly cookie only: the token never reaches the code', async () => {
      const user = await createSignedInUser(api);
      const { stdout } = await exec(process.execPath, ['out/cookie-refresh.js'], consumer.dir, {
        INKWELL_URL: `${api.url}/trpc`,
        INKWELL_EMAIL: user.email,
        INKWELL_PASSWORD: user.password,
        // Past the refresh-ahead point (80% of the 1 s lifetime).
        INKWELL_EXPIRY_WAIT_MS: '1500',
      });
      const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      expect(seen).toEqual({
        loginRefreshToken: null,
        storedRefreshToken: null,
        cookieSet: true,
        cookiesIssued: 2,
        cookieInAnyBody: false,
        refreshCalls: 1,
        meId: user.userId,
        userId: user.userId,
      });
    }, 60_000);
  });
});
