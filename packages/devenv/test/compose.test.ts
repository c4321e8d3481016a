/**
 * docker-compose.yml without a Docker engine: `docker-compose config` validates it, then every
 * service built from our Dockerfile runs as a process with the environment, entrypoint and
 * command compose would give its container, in depends_on order; one-shot services must exit
 * 0 and long-running ones must pass their own compose healthcheck. What differs, and only that:
 * the image-only services (postgres, redis, mail) are this machine's real PostgreSQL (a fresh
 * database), Redis (a key prefix of its own) and an SMTP peer; service hostnames and published
 * ports are mapped to those addresses and free local ports; volumes are temp directories; and
 * `node dist/X.js` runs `src/X.ts` of the target's package through tsx (the build is the
 * Dockerfile's, checked by typecheck, not here).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  freePort,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueRedisPrefix,
  waitFor,
} from '@inkwell/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { type SmtpPeer, startSmtpPeer } from '../../worker/src/test/smtp-peer.js';
import { webAppExists } from '../src/apps.js';
import { findExecutable } from '../src/commands.js';
import { repoRoot } from '../src/env-file.js';
import { composeCommand } from '../src/prerequisites.js';

const run = promisify(execFile);

const stringList = z.array(z.string());
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), target: z.string() }).optional(),
  command: stringList.optional(),
  entrypoint: stringList.optional(),
  environment: z.record(z.string(), z.string().nullable()).default({}),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).default({}),
  healthcheck: z.object({ test: stringList }).optional(),
  volumes: z.array(z.string()).default([]),
  profiles: stringList.optional(),
  restart: z.string().optional(),
});
type Service = z.output<typeof serviceSchema>;
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown()),
});

/** `docker-compose config` of the dev profile, with `extraEnv` as the shell environment and no .env. */
async function composeConfig(extraEnv: Record<string, string> = {}): Promise<z.output<typeof composeSchema>> {
  const [compose, ...composeArgs] = composeCommand() ?? [];
  if (!compose) throw new Error('docker-compose is not installed: apt-get install docker-compose');
  // An empty env file instead of the developer's .env: the test decides what compose sees.
  const envDir = mkdtempSync(join(tmpdir(), 'inkwell-compose-env-'));
  writeFileSync(join(envDir, 'empty.env'), '');
  try {
    const { stdout } = await run(
      compose,
      [
        ...composeArgs,
        '--project-directory',
        repoRoot,
        '--env-file',
        join(envDir, 'empty.env'),
        '--profile',
        'dev',
        'config',
      ],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...extraEnv } },
    );
    return composeSchema.parse(parse(stdout));
  } finally {
    rmSync(envDir, { recursive: true, force: true });
  }
}

/** The Dockerfile's CMD of each target (the command of a service that gives none). */
function dockerfileTargets(): Map<string, string[] | undefined> {
  const targets = new Map<string, string[] | undefined>();
  let current: string | undefined;
  for (const line of readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from?.[1]) {
      current = from[1];
      targets.set(current, undefined);
    }
    const cmd = /^CMD\s+(\[.*\])\s*$/.exec(line);
    if (cmd?.[1] && current) targets.set(current, stringList.parse(JSON.parse(cmd[1])));
  }
  return targets;
}

/** Where each Node target's /app comes from (the Dockerfile's `pnpm deploy` of that package). */
const PACKAGE_OF_TARGET: Record<string, string> = {
  migrate: 'packages/db',
  api: 'packages/api',
  worker: 'packages/worker',
};

/** `node dist/X.js` in the image is `src/X.ts` of the package, from source. */
function localCommand(command: string[]): string[] {
  const [file, script, ...rest] = command;
  if (file !== 'node') throw new Error(`unexpected command ${command.join(' ')}`);
  if (script === '-e') return [process.execPath, ...command.slice(1)];
  const source = /^dist\/(.+)\.js$/.exec(script ?? '')?.[1];
  if (!source) throw new Error(`unexpected command ${command.join(' ')}`);
  return [process.execPath, '--import', 'tsx', '--conditions=@inkwell/source', `src/${source}.ts`, ...rest];
}

interface Running {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let database: TestDatabase;
let smtp: SmtpPeer;
let volumes: string;
const running: Running[] = [];
const ports = new Map<string, number>();
let translate: (value: string) => string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  smtp = await startSmtpPeer();
  volumes = mkdtempSync(join(tmpdir(), 'inkwell-compose-volumes-'));
  for (const published of ['3000', '9464']) ports.set(published, await freePort());
  const prefix = uniqueRedisPrefix();
  const redis = new URL(TEST_REDIS_URL);
  translate = (value: string) =>
    value
      .replace(/^postgres:\/\/[^@]+@postgres:5432\/\w+$/, database.url)
      .replace(/^redis:\/\/redis:6379$/, `redis://${redis.host}`)
      .replace(/^smtp:\/\/mail:1025$/, smtp.url)
      .replace(/^inkwell:$/, prefix)
      .replace(/^0\.0\.0\.0$/, '127.0.0.1')
      .replaceAll('/run/inkwell', volumes)
      .replace(/127\.0\.0\.1:(3000|9464)\b/g, (_, port: string) => `127.0.0.1:${ports.get(port)}`)
      .replace(/^(3000|9464)$/, (port) => String(ports.get(port)));
}, 60_000);

afterAll(async () => {
  for (const service of running) {
    if (service.child.exitCode === null) service.child.kill('SIGTERM');
    await service.exited;
  }
  await smtp?.close();
  await database?.drop();
  if (volumes) rmSync(volumes, { recursive: true, force: true });
}, 60_000);

/** Starts one service as compose would: entrypoint + command, its environment, translated. */
function start(name: string, service: Service, targets: Map<string, string[] | undefined>): Running {
  const target = service.build?.target;
  const cwd = target ? PACKAGE_OF_TARGET[target] : undefined;
  if (!target || !cwd) throw new Error(`${name}: no local equivalent of target ${target}`);
  const command = service.command ?? targets.get(target);
  if (!command) throw new Error(`${name}: no command and no CMD in the Dockerfile target ${target}`);
  // `docker-compose config` keeps $$ (a literal $ for the container's shell) escaped.
  const entrypoint = (service.entrypoint ?? []).map((part) => translate(part.replaceAll('$$', '$')));
  const argv = [...entrypoint, ...localCommand(command).map(translate)];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const [key, value] of Object.entries(service.environment)) if (value !== null) env[key] = translate(value);
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { cwd: join(repoRoot, cwd), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = { name, child, output: () => output, exited };
  running.push(started);
  return started;
}

/** The service's own healthcheck (`CMD node -e ...`), run until it passes. */
async function healthy(name: string, service: Service, process: Running): Promise<void> {
  const test = service.healthcheck?.test;
  if (test?.[0] !== 'CMD' || test[1] !== 'node') throw new Error(`${name}: expected a "CMD node" healthcheck`);
  const args = test.slice(2).map(translate);
  await waitFor(
    async () => {
      if (process.child.exitCode !== null)
        throw new Error(`${name} exited ${process.child.exitCode}:\n${process.output()}`);
      return run(globalThis.process.execPath, args).then(
        () => true,
        () => false,
      );
    },
    60_000,
    250,
  );
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose, and every build target exists in the Dockerfile', async () => {
    const config = await composeConfig();
    const targets = dockerfileTargets();
    const built = Object.entries(config.services).filter(([, service]) => service.build);
    expect(built.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'secrets', 'seed', 'web', 'worker']);
    for (const [name, service] of built)
      expect({ name, target: targets.has(service.build?.target ?? '') }).toEqual({ name, target: true });
    // The seed (demo passwords) only in the dev profile.
    expect(config.services.seed?.profiles).toEqual(['dev']);
  });

  it('takes JWT_SECRET from .env (the shell environment) when set', async () => {
    const config = await composeConfig({ JWT_SECRET: 'from-dotenv-0123456789abcdef0123456789abcdef' });
    expect(config.services.api?.environment.JWT_SECRET).toBe('from-dotenv-0123456789abcdef0123456789abcdef');
  });

  it('starts secrets, migrate, seed, api and worker in order; each one-shot exits 0, each server passes its healthcheck', async () => {
    const config = await composeConfig();
    const targets = dockerfileTargets();
    const services = config.services;
    const order = ['secrets', 'migrate', 'seed', 'api', 'worker'];
    for (const name of order) {
      const service = services[name];
      if (!service) throw new Error(`no service ${name}`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on)) {
        // Dependencies come earlier in `order`, or are the real servers this test provides.
        if (['postgres', 'redis', 'mail'].includes(dependency)) continue;
        expect({ name, dependency, before: order.indexOf(dependency) < order.indexOf(name) }).toEqual({
          name,
          dependency,
          before: true,
        });
        expect(['service_completed_successfully', 'service_healthy']).toContain(condition);
      }
      const process = start(name, service, targets);
      if (service.restart === 'no') {
        const code = await process.exited;
        expect({ name, code, output: code === 0 ? '' : process.output() }).toEqual({ name, code: 0, output: '' });
      } else {
        await healthy(name, service, process);
      }
    }

    // The secret was generated into the volume, and the api signs with it.
    const secret = readFileSync(join(volumes, 'jwt-secret'), 'utf8');
    expect(secret).toMatch(/^[\w-]{64}$/);
    const api = `http://127.0.0.1:${ports.get('3000')}`;
    const login = await fetch(`${api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@inkwell.dev', password: 'inkwell-dev-password' }),
    });
    const body = z.object({ accessToken: z.string() }).parse(await login.json());
    const [header, payload, signature] = body.accessToken.split('.');
    expect(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')).toBe(signature);

    // Running `secrets` again keeps the secret (generated on the first run only).
    const again = start('secrets (again)', services.secrets as Service, targets);
    expect(await again.exited).toBe(0);
    expect(readFileSync(join(volumes, 'jwt-secret'), 'utf8')).toBe(secret);
  }, 240_000);

  // The web target is nginx over the Vite build: run this machine's nginx with the image's
  // config template (deploy/web/nginx.conf.template) inside the minimal http block the image
  // provides, in front of the api started above. Runs as soon as packages/web exists.
  it.runIf(webAppExists())(
    'serves the built web app and proxies the api through it (web target)',
    async () => {
      const nginx = findExecutable('nginx') ?? findExecutable('nginx', ['/usr/sbin']);
      if (!nginx) throw new Error('nginx is not installed: apt-get install nginx');
      const build = await run(pnpmCli(), ['--filter', '@inkwell/web', 'build'], { cwd: repoRoot }).catch(
        (error: unknown) => ({ stdout: String(Reflect.get(Object(error), 'stdout')) }),
      );
      const dist = join(repoRoot, 'packages/web/dist');
      expect(existsSync(join(dist, 'index.html')), build.stdout).toBe(true);
      const port = await freePort();
      const prefix = mkdtempSync(join(tmpdir(), 'inkwell-nginx-'));
      const server = readFileSync(join(repoRoot, 'deploy/web/nginx.conf.template'), 'utf8')
        .replaceAll(`\${API_UPSTREAM}`, `127.0.0.1:${ports.get('3000')}`)
        .replace('listen 8080;', `listen 127.0.0.1:${port};`)
        .replace('root /usr/share/nginx/html;', `root ${dist};`);
      writeFileSync(
        join(prefix, 'nginx.conf'),
        `daemon off; pid ${prefix}/nginx.pid; error_log stderr;\nevents {}\nhttp { include /etc/nginx/mime.types; access_log off; client_body_temp_path ${prefix}; proxy_temp_path ${prefix};\n${server}\n}\n`,
      );
      const child = spawn(nginx, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
      running.push({
        name: 'web',
        child,
        output: () => '',
        exited: new Promise((resolve) => child.on('exit', resolve)),
      });
      const web = `http://127.0.0.1:${port}`;
      await waitFor(
        () =>
          fetch(`${web}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        200,
      );
      const page = await fetch(`${web}/some/client/route`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id=');
      const proxied = await fetch(`${web}/api/posts`);
      expect(proxied.status).toBe(200);
      expect(z.object({ items: z.array(z.unknown()) }).parse(await proxied.json()).items.length).toBeGreaterThan(0);
      rmSync(prefix, { recursive: true, force: true });
    },
    240_000,
  );
});

/** pnpm from PATH, else the shim scripts/lib.sh setup_pnpm put in .tmp/corepack-bin. */
function pnpmCli(): string {
  return findExecutable('pnpm') ?? join(repoRoot, '.tmp/corepack-bin/pnpm');
}
