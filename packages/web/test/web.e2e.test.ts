import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutboxMessage } from '@inkwell/db';
import { freePort, waitFor } from '@inkwell/db/testing';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTrpc, createSignedInUser, type SignedInUser, signInAs } from '../../api/src/test/auth-helpers.js';
import { startTestApi, type TestApi } from '../../api/src/test/harness.js';
import { loadConfig } from '../../worker/src/config.js';
import { createLogger } from '../../worker/src/logger.js';
import { renderMail } from '../../worker/src/mail/templates.js';
import { type SmtpPeer, startSmtpPeer } from '../../worker/src/test/smtp-peer.js';
import { workerTestEnv } from '../../worker/src/test/worker-env.js';
import { type RunningWorker, startWorker } from '../../worker/src/worker.js';
import {
  buildWebApp,
  launchChromium,
  removeBuild,
  type ServedWebApp,
  serveWebApp,
  watchProblems,
} from './web-harness.js';

const artifacts = fileURLToPath(new URL('../../../artifacts/web/', import.meta.url));
/** Short enough that tests outlive several access tokens (the api tolerates 5 s past `exp`). */
const ACCESS_TOKEN_TTL_SECONDS = 3;

let api: TestApi;
let peer: SmtpPeer;
let worker: RunningWorker;
let web: ServedWebApp;
let outDir: string;
let browser: Browser;

beforeAll(async () => {
  outDir = await buildWebApp();
  api = await startTestApi({ env: { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) } });
  const webPort = await freePort();
  peer = await startSmtpPeer();
  const config = loadConfig(
    workerTestEnv({
      databaseUrl: api.db.url,
      smtpUrl: peer.url,
      redisPrefix: api.config.redis.prefix,
      extra: { PUBLIC_WEB_URL: `http://127.0.0.1:${webPort}` },
    }),
  );
  worker = await startWorker(config, createLogger(config));
  web = await serveWebApp(outDir, api.url, webPort);
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await worker?.stop();
  await peer?.close();
  await api?.close();
  if (outDir) removeBuild(outDir);
}, 60_000);

/** A fresh browser profile (own cookies and storage) with a problem watcher. */
async function openPage(viewport = { width: 1280, height: 900 }) {
  const context: BrowserContext = await browser.newContext({ viewport, baseURL: web.url });
  const page = await context.newPage();
  const watch = watchProblems(page);
  return { page, context, watch };
}

async function mailTo(email: string, subject: string): Promise<string> {
  let text = '';
  await waitFor(async () => {
    for (const mail of peer.received.filter((m) => m.to.includes(email))) {
      const parsed = await simpleParser(mail.raw);
      if (parsed.subject === subject) {
        text = parsed.text ?? '';
        return true;
      }
    }
    return false;
  }, 30_000);
  return text;
}

function linkIn(text: string, path: string): string {
  const url = new RegExp(`(http://\\S+${path}\\?token=[\\w-]+)`).exec(text)?.[1];
  if (!url) throw new Error(`no ${path} link in:\n${text}`);
  return url;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function createPost(user: SignedInUser, input: { title: string; body: string; tags?: string[] }) {
  const res = await callTrpc(api, 'posts.create', { input, headers: user.authHeader });
  if (res.status !== 200) throw new Error(`posts.create: ${res.status} ${JSON.stringify(res.error)}`);
  const id: unknown = Reflect.get(Object(res.data), 'id');
  if (typeof id !== 'string') throw new Error('posts.create answered no id');
  return id;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });

describe('the built web app against a real api, worker and SMTP peer', () => {
  it('sign up → mail → verify → sign in → post, comment, reply, like → reload → sign out → reset password → sign in', async () => {
    const { page, context, watch } = await openPage();
    const suffix = Math.random().toString(36).slice(2, 8);
    const email = `reader_${suffix}@example.test`;
    const password = `correct horse battery ${suffix}`;

    await page.goto('/sign-up');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Username').fill(`reader_${suffix}`);
    await page.getByLabel('Display name').fill('Ada Reader');
    await page.getByLabel('Password').fill(password);
    await shot(page, 'sign-up');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('status').filter({ hasText: 'Check your inbox' }).waitFor();

    const verifyLink = linkIn(await mailTo(email, 'Confirm your email address'), '/verify-email');
    expect(verifyLink.startsWith(`${web.url}/verify-email?token=`)).toBe(true);
    await page.goto(verifyLink);
    await page.getByText('Your email address is confirmed').waitFor();
    await shot(page, 'verify-email');

    await signIn(page, email, password);
    await page.getByRole('link', { name: 'Write' }).click();
    await page.getByLabel('Title').fill('My first post');
    await page.getByLabel('Body').fill('Hello **world**, this is _markdown_.');
    await page.getByLabel('Tags').fill('intro, hello');
    await shot(page, 'write');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('heading', { name: 'My first post' }).waitFor();
    expect(await page.locator('.prose strong').textContent()).toBe('world');

    await page.getByLabel('Write a comment').fill('A first comment');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.getByText('A first comment').waitFor();
    await page.getByRole('button', { name: 'Reply' }).first().click();
    await page.getByLabel('Reply to Ada Reader').fill('A reply to it');
    await page.getByRole('button', { name: 'Reply', exact: true }).last().click();
    await page.locator('.replies').getByText('A reply to it').waitFor();
    await page.getByRole('button', { name: 'Like' }).click();
    await page.getByRole('button', { name: 'Unlike' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'My first post' }).waitFor();
    await page.locator('.replies').getByText('A reply to it').waitFor();
    await expect(page.getByText('A first comment').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Unlike', pressed: true }).waitFor();
    await page.getByText('1 like', { exact: true }).waitFor();
    await shot(page, 'post');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page.getByRole('status').waitFor();
    await shot(page, 'forgot-password');
    const resetLink = linkIn(await mailTo(email, 'Reset your password'), '/reset-password');
    await page.goto(resetLink);
    const newPassword = `another good passphrase ${suffix}`;
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await shot(page, 'reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password is changed').waitFor();

    await signIn(page, email, newPassword);
    await shot(page, 'home-signed-in');
    // The refresh token stayed out of the page's reach the whole time.
    expect(await page.evaluate(() => document.cookie)).not.toContain('inkwell_refresh');
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('scrolls the feed through three pages of posts (infinite query over nextCursor)', async () => {
    const author = await createSignedInUser(api);
    for (let i = 0; i < 45; i += 1)
      await createPost(author, { title: `Scroll post ${i}`, body: 'Body', tags: ['scrolling'] });
    const { page, context, watch } = await openPage();
    const listCalls: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('posts.list')) listCalls.push(request.url());
    });
    await page.goto('/?tag=scrolling');
    const cards = page.locator('ul.posts > li');
    await cards.first().waitFor();
    for (let round = 0; round < 10 && (await cards.count()) < 45; round += 1) {
      await page.locator('.sentinel').scrollIntoViewIfNeeded();
      await page.waitForTimeout(50);
    }
    await page.getByText('That is all.').waitFor();
    expect(await cards.count()).toBe(45);
    expect(listCalls.length).toBeGreaterThanOrEqual(3);
    await shot(page, 'home');
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('the moderation page mounts 25 queries at once, batched within the api limit', async () => {
    const admin = await createSignedInUser(api, { role: 'admin' });
    const users = await Promise.all(Array.from({ length: 25 }, () => createSignedInUser(api)));
    await createPost(users[0] as SignedInUser, { title: 'To be moderated', body: 'Spam' });
    const { page, context, watch } = await openPage();
    await signIn(page, admin.email, admin.password);
    const batches: number[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.includes('users.posts')) batches.push(path.split(',').length);
    });
    await page.getByRole('link', { name: 'Moderation' }).click();
    await page.getByRole('heading', { name: 'Moderation' }).waitFor();
    await waitFor(async () => (await page.locator('ul.users > li').count()) >= 25, 20_000);
    await waitFor(async () => (await page.getByText('Loading posts…').count()) === 0, 20_000);
    expect(batches.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(25);
    expect(Math.max(...batches)).toBeLessThanOrEqual(20);
    await shot(page, 'admin');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete post “To be moderated”' }).click();
    await waitFor(async () => (await page.getByText('To be moderated').count()) === 0, 10_000);
    const target = users[1] as SignedInUser;
    await page.getByRole('button', { name: `Disable ${target.username}` }).click();
    await page.getByRole('button', { name: `Enable ${target.username}` }).waitFor();
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('an access token expiring mid-use is refreshed without a refused call', async () => {
    const user = await createSignedInUser(api);
    const postId = await createPost(user, { title: 'Expiry', body: 'Wait for it' });
    const { page, context, watch } = await openPage();
    let refreshes = 0;
    page.on('request', (request) => {
      if (request.url().includes('auth.refresh')) refreshes += 1;
    });
    await signIn(page, user.email, user.password);
    await page.goto(`/posts/${postId}`);
    await page.getByRole('heading', { name: 'Expiry' }).waitFor();
    // Past the token's end and the api's 5 s tolerance.
    await page.waitForTimeout((ACCESS_TOKEN_TTL_SECONDS + 6) * 1000);
    await page.getByRole('button', { name: 'Like' }).click();
    await page.getByRole('button', { name: 'Unlike' }).waitFor();
    await page.getByLabel('Write a comment').fill('Still signed in');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.getByText('Still signed in').waitFor();
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('signing out everywhere from another client signs this browser out on its next call', async () => {
    const user = await createSignedInUser(api);
    const postId = await createPost(user, { title: 'Elsewhere', body: 'Signed out from afar' });
    const { page, context, watch } = await openPage();
    await signIn(page, user.email, user.password);
    await page.goto(`/posts/${postId}`);
    await page.getByRole('heading', { name: 'Elsewhere' }).waitFor();

    const other = await signInAs(api, user.email, user.password);
    expect((await callTrpc(api, 'auth.logoutAll', { headers: other.authHeader })).status).toBe(200);
    // Provoked: the refused like, and the refused refresh that follows it.
    watch.expect(/posts\.like|auth\.refresh|401 \(Unauthorized\)/);
    await page.getByRole('button', { name: 'Like' }).click();
    await page.getByRole('link', { name: 'Sign in to like' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('signing in drops what was fetched signed out (the provider resets the query cache)', async () => {
    const user = await createSignedInUser(api);
    const postId = await createPost(user, { title: 'Liked before', body: 'Seen anonymously first' });
    expect((await callTrpc(api, 'posts.like', { input: { id: postId }, headers: user.authHeader })).status).toBe(200);
    const { page, context, watch } = await openPage();
    await page.goto(`/posts/${postId}`);
    await page.getByRole('link', { name: 'Sign in to like' }).waitFor();
    // Signed in within the page (no reload): the post cached as anonymous must not stay.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goBack();
    await page.goBack();
    await page.getByRole('heading', { name: 'Liked before' }).waitFor();
    await page.getByRole('button', { name: 'Unlike', pressed: true }).waitFor();
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('says what went wrong, by the api reason, with field issues next to their fields', async () => {
    const { page, context, watch } = await openPage();
    // Every failure here is provoked.
    watch.expect(/auth\.register|auth\.login|auth\.verifyEmail|auth\.requestPasswordReset|\b(400|403|409|429)\b/);

    await page.goto('/sign-up');
    await page.getByLabel('Email').fill('not-an-address');
    await page.getByLabel('Username').fill('x');
    await page.getByLabel('Display name').fill('Someone');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('alert').filter({ hasText: 'Some fields need your attention' }).waitFor();
    const password = page.getByLabel('Password');
    await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    const notes = await Promise.all(describedBy.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(notes.join(' ')).toMatch(/at least 12 characters/i);
    await expect(page.getByLabel('Username').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot(page, 'sign-up-errors');

    const unverified = await createSignedInUser(api, { verified: false });
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(unverified.email);
    await page.getByLabel('Password').fill(unverified.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Confirm your email address first' }).waitFor();
    await page.getByRole('button', { name: 'Send a new verification link' }).click();
    await page.getByRole('status').filter({ hasText: 'verification link is on its way' }).waitFor();

    const link = linkIn(await mailTo(unverified.email, 'Confirm your email address'), '/verify-email');
    await page.goto(link);
    await page.getByText('Your email address is confirmed').waitFor();
    await page.goto(link);
    await page.getByRole('alert').filter({ hasText: 'expired or was already used' }).waitFor();
    await page.getByRole('button', { name: 'Send a new verification link' }).waitFor();

    const limited = `limited_${Date.now()}@example.test`;
    for (let i = 0; i < 5; i += 1) {
      await callTrpc(api, 'auth.requestPasswordReset', { input: { email: limited } });
    }
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(limited);
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /Too many attempts\. Try again in \d+ s\./ })
      .waitFor();
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('a like that fails is rolled back', async () => {
    const user = await createSignedInUser(api);
    const postId = await createPost(user, { title: 'Rollback', body: 'Like me' });
    const { page, context, watch } = await openPage();
    await signIn(page, user.email, user.password);
    await page.goto(`/posts/${postId}`);
    await page.getByText('0 likes').waitFor();
    watch.expect(/posts\.like/);
    await page.route('**/trpc/posts.like**', (route) => route.abort('connectionreset'));
    await page.getByRole('button', { name: 'Like' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByRole('button', { name: 'Like', pressed: false }).waitFor();
    await page.getByText('0 likes').waitFor();
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('a post holding <script> and <img onerror> runs no script', async () => {
    const user = await createSignedInUser(api);
    const postId = await createPost(user, {
      title: 'Hostile markup',
      body: [
        'Plain text first.',
        '<script>window.__pwned = "script"</script>',
        '<img src="x" onerror="window.__pwned = \'img\'">',
        '[click](javascript:window.__pwned=%22link%22)',
        '<svg><script>window.__pwned = "svg"</script></svg>',
      ].join('\n\n'),
    });
    const { page, context, watch } = await openPage();
    await page.goto(`/posts/${postId}`);
    await page.getByRole('heading', { name: 'Hostile markup' }).waitFor();
    await page.getByText('Plain text first.').waitFor();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => Reflect.get(window, '__pwned'))).toBeUndefined();
    expect(await page.locator('.prose script').count()).toBe(0);
    expect(await page.locator('.prose [onerror]').count()).toBe(0);
    expect(await page.locator('.prose a[href^="javascript:"]').count()).toBe(0);
    await shot(page, 'post-hostile');
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('every link of every mail template opens an existing page', async () => {
    const { page, context, watch } = await openPage();
    const payload = { userId: '01890000-0000-7000-8000-000000000000', email: 'x@example.test', displayName: 'X' };
    const token = 'a'.repeat(43);
    const messages: OutboxMessage[] = [
      { type: 'mail.verify-email', payload: { ...payload, token } },
      { type: 'mail.password-reset', payload: { ...payload, token } },
      { type: 'mail.password-changed', payload },
      { type: 'mail.welcome', payload },
    ];
    const links = messages.flatMap((message) => {
      const { html } = renderMail(message, web.url);
      return [...html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
    });
    expect(links.length).toBeGreaterThanOrEqual(4);
    // The made-up token is refused by the api: expected on the two token pages.
    watch.expect(/auth\.verifyEmail|auth\.resetPassword/);
    for (const link of links) {
      expect(link.startsWith(web.url)).toBe(true);
      await page.goto(link);
      await page.locator('main h1').waitFor();
      expect(await page.getByText('Page not found').count()).toBe(0);
    }
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('works with the keyboard alone and at 375 px; every page has a screenshot', async () => {
    const admin = await createSignedInUser(api, { role: 'admin' });
    const postId = await createPost(admin, { title: 'Narrow screens', body: 'Read me on a phone.', tags: ['mobile'] });
    const { page, context, watch } = await openPage({ width: 375, height: 800 });
    await page.goto('/sign-in');
    await page.getByLabel('Email').waitFor();
    // Tab order: skip link first, then the header, then the form.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.getByLabel('Email').focus();
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    const pages: Array<[string, string, string]> = [
      ['/', 'mobile-home', 'Latest posts'],
      [`/posts/${postId}`, 'mobile-post', 'Narrow screens'],
      ['/write', 'mobile-write', 'Write a post'],
      [`/users/${admin.username}`, 'mobile-profile', admin.username],
      ['/settings', 'mobile-settings', 'Settings'],
      ['/admin', 'mobile-admin', 'Moderation'],
    ];
    for (const [path, name, heading] of pages) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shot(page, name);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const [path, name, heading] of pages.slice(3)) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await shot(page, name.replace('mobile-', ''));
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto('/sign-in');
    await shot(page, 'sign-in');
    expect(watch.problems).toEqual([]);
    await context.close();
  }, 120_000);
});
