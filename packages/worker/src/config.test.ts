import { ConfigError } from '@inkwell/db';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { mailBackoff } from './queue.js';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/inkwell',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'https://inkwell.example/',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  MAIL_FROM: 'Inkwell <no-reply@inkwell.example>',
};

describe('worker config', () => {
  it('has working defaults: admin view off, metrics on 127.0.0.1:9464', () => {
    const config = loadConfig(base);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9464, adminToken: undefined });
    expect(config.publicUrl).toBe('https://inkwell.example');
    expect(loadConfig({ ...base, WORKER_ADMIN_TOKEN: '' }).http.adminToken).toBeUndefined();
  });

  it('links in mails start at PUBLIC_WEB_URL (the web app) when it is set', () => {
    expect(loadConfig({ ...base, PUBLIC_WEB_URL: 'https://app.inkwell.example/' }).publicUrl).toBe(
      'https://app.inkwell.example',
    );
    expect(loadConfig({ ...base, PUBLIC_WEB_URL: '' }).publicUrl).toBe('https://inkwell.example');
    expect(() => loadConfig({ ...base, PUBLIC_WEB_URL: 'not a url' })).toThrow(/PUBLIC_WEB_URL/);
  });

  it('rejects a short admin token and a zero concurrency, naming the variables', () => {
    const load = () => loadConfig({ ...base, WORKER_ADMIN_TOKEN: 'short', WORKER_CONCURRENCY: '0' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/WORKER_ADMIN_TOKEN: at least 32 characters/);
    expect(load).toThrow(/WORKER_CONCURRENCY: /);
  });
});

describe('mail backoff', () => {
  const config = { mail: { ...loadConfig(base).mail, backoffMs: 1_000, backoffMaxMs: 60_000 } };

  it('doubles per attempt, with jitter between half and all of the step, capped', async () => {
    const low = mailBackoff(config, () => 0);
    const high = mailBackoff(config, () => 1);
    const steps = [1, 2, 3, 4, 7, 20];
    expect(await Promise.all(steps.map((n) => low(n)))).toEqual([500, 1_000, 2_000, 4_000, 30_000, 30_000]);
    expect(await Promise.all(steps.map((n) => high(n)))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000]);
  });
});
