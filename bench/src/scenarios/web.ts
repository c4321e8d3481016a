import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { CHROMIUM, launchChromium, serveWebApp, webDir } from '../../../packages/web/test/web-harness.js';
import { type BenchContext, startBenchApi } from '../context.js';
import { stopAll } from '../processes.js';
import type { ScenarioReport } from '../report.js';
import { median } from '../stats.js';

/** Page loads measured (each in a fresh browser context: no cache, no storage). */
const LOADS = 15;
const FIRST_PAGE_TARGET_KB = 150;

const manifestSchema = z.record(
  z.string(),
  z.object({ file: z.string(), isEntry: z.boolean().optional(), imports: z.array(z.string()).optional() }),
);

/** The JS the first page loads: the entry chunk and every chunk it imports statically. */
function firstPageScripts(dist: string): string[] {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')));
  const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry)?.[0];
  if (!entry) throw new Error('the web build has no entry chunk');
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entry);
  return [...files].filter((file) => file.endsWith('.js'));
}

const gzipKb = (dist: string, files: readonly string[]) =>
  files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length, 0) / 1024;

/** Runs in the page before its scripts: notes when the first post of the feed is in the DOM. */
const MARK_FIRST_LIST = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('ul.posts > li')) {
      window.__firstListMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

/** Times of one load, from the page's own clock (ms since navigation start). */
const loadTimesSchema = z.object({ firstListMs: z.number(), listCallMs: z.number(), listResponseEndMs: z.number() });
const READ_TIMES = `(() => {
  const call = performance.getEntriesByType('resource').find((entry) => entry.name.includes('posts.list'));
  return {
    firstListMs: window.__firstListMs,
    listCallMs: call ? call.responseEnd - call.startTime : -1,
    listResponseEndMs: call ? call.responseEnd : -1,
  };
})()`;

/**
 * Scenario: the web app's production JS (first page, gzipped) and, in Chromium against a local
 * api over the seeded bench data, the time from navigation to the first rendered post list next
 * to the time of that page's `posts.list` call.
 */
export async function webScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const dist = join(webDir, 'dist');
  if (!existsSync(join(dist, '.vite/manifest.json'))) throw new Error(`${dist} is missing: run \`pnpm build\``);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const scripts = firstPageScripts(dist);
  const firstPageKb = gzipKb(dist, scripts);
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')));
  const allKb = gzipKb(
    dist,
    [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter((f) => f.endsWith('.js')),
  );

  const api = await startBenchApi(ctx, { name: 'api (web)', cacheEnabled: true });
  const web = await serveWebApp(dist, api.url);
  const browser = await launchChromium();
  const loads: Array<z.infer<typeof loadTimesSchema>> = [];
  try {
    for (let i = 0; i <= LOADS; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(MARK_FIRST_LIST);
        await page.goto(`${web.url}/`);
        await page.waitForSelector('ul.posts > li', { timeout: 30_000 });
        const times = loadTimesSchema.parse(await page.evaluate(READ_TIMES));
        // The first load warms the api's cache, its JIT and the preview server: not counted.
        if (i > 0) loads.push(times);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await web.close();
    await stopAll([api.proc]);
  }

  const p50 = median;
  const firstList = p50(loads.map((l) => l.firstListMs));
  const listCall = p50(loads.map((l) => l.listCallMs));
  const afterCall = p50(loads.map((l) => l.firstListMs - l.listResponseEndMs));
  return {
    id: 8,
    title: 'web app: first-page JS and time to the first rendered post list',
    setup: `Production build (packages/web/dist) served by vite preview with /trpc proxied to one cached api over the bench data; Debian Chromium headless, 1280×900, ${LOADS} loads in fresh contexts after one warm-up; times from the page's own clock (navigation start).`,
    columns: ['measure', 'value'],
    rows: [
      ['first-page JS, gzipped (kB)', firstPageKb],
      ['all JS chunks, gzipped (kB)', allKb],
      ['first-page chunks', scripts.length],
      ['navigation → first post list rendered, p50 (ms)', firstList],
      ['posts.list call of that load, p50 (ms)', listCall],
      ['posts.list answer → list rendered, p50 (ms)', afterCall],
      ['posts.list share of the time to the list', listCall / firstList],
    ],
    targets: [
      {
        name: 'first-page JS gzipped',
        goal: `≤ ${FIRST_PAGE_TARGET_KB} kB`,
        value: `${firstPageKb.toFixed(1)} kB`,
        met: firstPageKb <= FIRST_PAGE_TARGET_KB,
      },
    ],
    notes: [
      'The post page, editor, profile, settings and moderation pages (and marked + DOMPurify) are separate chunks loaded on navigation.',
    ],
    data: { scripts, firstPageKb, allKb, loads },
  };
}
