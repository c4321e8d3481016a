import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../test/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../../../../artifacts/', import.meta.url));

describe('/docs in headless Chromium', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    // .ci/run installs Debian's chromium; without it this test fails rather than skips.
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    api = await startTestApi();
    base = api.url;
    browser = await chromium.launch({
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
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('lists the operations with every asset served by the api itself', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const failures: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() < 200 || response.status() > 299) failures.push(`${response.url()}: ${response.status()}`);
    });
    // CSP violations and script errors surface as console errors.
    page.on('console', (message) => {
      if (message.type() === 'error') failures.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => failures.push(`page: ${error.message}`));

    await page.goto(`${base}/docs`, { waitUntil: 'networkidle' });
    const listed = await page
      .locator('.opblock')
      .first()
      .waitFor({ timeout: 15_000 })
      .then(() => true)
      .catch(() => false);
    expect(failures).toEqual([]); // first: a failed asset explains a page that never rendered
    expect(listed).toBe(true);

    const operations = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(operations.map((text) => text.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/auth/login', '/auth/refresh', '/posts', '/posts/{id}', '/posts/{postId}/comments']),
    );
    expect(await page.locator('.info .title').textContent()).toContain('Inkwell API');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}docs.png`, fullPage: true });

    expect(failures).toEqual([]);
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((url) => !url.startsWith(`${base}/`))).toEqual([]);
  });
});
