import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv as parseDotEnv } from 'node:util';
import { z } from 'zod';
import { detail, SetupError, step } from './report.js';

/** The repository root (this file is packages/devenv/src/env-file.ts). */
export const repoRoot = join(import.meta.dirname, '../../..');

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

/** The variables the quickstart itself reads; every process still validates its own. */
const quickstartEnvSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL'),
  REDIS_URL: z
    .string()
    .regex(/^redis:\/\/\S+$/, 'must be a redis:// URL (TLS servers are not set up by the quickstart)'),
  PORT: port(3000),
  WORKER_METRICS_PORT: port(9464),
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// URL'),
  MAIL_INBOX_PORT: port(1080),
  PUBLIC_WEB_URL: z.url().optional(),
});

export type QuickstartEnv = z.output<typeof quickstartEnvSchema>;

/** `.env` from `.env.example` when missing, with a JWT_SECRET of its own instead of the placeholder. */
export function ensureEnvFile(root: string = repoRoot): string {
  const path = join(root, '.env');
  if (existsSync(path)) return path;
  const example = readFileSync(join(root, '.env.example'), 'utf8');
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${secret}`), { mode: 0o600 });
  step('created .env from .env.example (with a random JWT_SECRET)');
  detail('edit it to point at other servers or ports; delete it to start over');
  return path;
}

/** The variables of `.env`, overridden by the environment (as every process entry reads them). */
export function readEnv(path: string): { env: QuickstartEnv; all: Record<string, string> } {
  const fromFile = parseDotEnv(readFileSync(path, 'utf8'));
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...fromFile, ...process.env })) {
    if (typeof value === 'string') all[key] = value;
  }
  const parsed = quickstartEnvSchema.safeParse(
    Object.fromEntries(Object.entries(all).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SetupError(`.env is not usable: ${problems}`, `correct ${path} (see .env.example)`);
  }
  return { env: parsed.data, all };
}

/** Host, port and credentials of a postgres:// or redis:// URL. */
export function serverOf(url: string, defaultPort: number) {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: Number(parsed.port || defaultPort),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    /** Only a server on this machine can be started for the user. */
    local: ['127.0.0.1', 'localhost', '::1'].includes(host),
  };
}

export type ServerAddress = ReturnType<typeof serverOf>;
