// The Chromium side of the console journeys (console-e2e*.test.ts): Debian's Chromium driven by
// playwright-core with the flags, a watcher that records console errors, page errors,
// failed or refused requests and requests to another origin, and axe-core's serious or critical
// violations. Screenshots go to test-results/console/ (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/http/app.js';
import { startWorkers } from '../../src/jobs/index.js';
import type { Platform } from '../../src/platform.js';
import { dispatchEvents } from '../../src/workflows/events.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SHOTS = fileURLToPath(new URL('../../../../test-results/console/', import.meta.url));

/** Whether Chromium is here; with CI=true its absence is an error, else the journeys skip with a message. */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.CI === 'true')
    throw new Error(`CI=true and no Chromium at ${CHROMIUM}: install it (apt-get install chromium fonts-noto-cjk)`);
  if (!available)
    console.log(`# console journeys skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; CI=true makes this a failure)`);
  return available;
}

/** Watches a page: console errors, page errors, failed or refused requests, other origins. */
export function watch(page: Page, origin: string, problems: string[]): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:') && request.url() !== 'about:blank')
      problems.push(`request to another origin: ${request.url()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
}

export async function axe(page: Page, problems: string[]): Promise<void> {
  // The report's frame runs no script at all (sandbox without allow-scripts), so axe cannot enter it:
  // it checks the console's page around it; the report's markup is @apprights/report's own.
  const results = await new AxeBuilder({ page }).exclude('iframe.report').analyze();
  for (const v of results.violations)
    if (v.impact === 'serious' || v.impact === 'critical')
      problems.push(`axe ${v.impact} ${v.id} on ${page.url()}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Navigation start → load event of the page, as the browser measured it (issue 15: ≤ 1 s here). */
export function loadTime(page: Page): Promise<number> {
  return page.evaluate(() => {
    const nav = (performance as unknown as { getEntriesByType(type: string): unknown[] }).getEntriesByType('navigation')[0] as
      { loadEventEnd: number; startTime: number } | undefined;
    return nav ? nav.loadEventEnd - nav.startTime : -1;
  });
}

/** The outbox dispatcher's work (`serve`'s scheduler runs it), in a loop; the returned function stops it. */
export function dispatchLoop(p: Platform): () => Promise<void> {
  let dispatching = true;
  const loop = (async () => {
    while (dispatching) {
      await dispatchEvents(p).catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return async () => {
    dispatching = false;
    await loop;
  };
}

/**
 * A journey's stage: the platform's API and console on loopback with one warm worker, the outbox
 * dispatcher's loop, and Chromium; with what the pages it opens record (problems, load times).
 */
export interface Journey {
  origin: string;
  problems: string[];
  loads: { name: string; ms: number }[];
  /** A page in a fresh browser context in `lang`, watched for problems. */
  open(lang: string, javaScriptEnabled?: boolean): Promise<Page>;
  /** A loaded page: its load time, axe-core's check and a screenshot, all under `name`. */
  visit(page: Page, name: string): Promise<void>;
  /** Closes the contexts opened so far (the end of one language's journeys). */
  closePages(): Promise<void>;
  /** The load-time line a journey prints: median and slowest page. */
  summary(label: string): string;
  /** Stops the browser, the dispatcher, the server and the workers (the platform stays open). */
  close(): Promise<void>;
}

export async function startJourney(p: Platform): Promise<Journey> {
  mkdirSync(SHOTS, { recursive: true });
  const workers = await startWorkers(p, { concurrency: 1 });
  const app = await buildApp(p);
  const stopDispatching = dispatchLoop(p);
  const stopServing = async () => {
    await stopDispatching();
    await app.close();
    await workers.stop({ graceMs: 1000 });
  };
  let browser;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    // launch() gives every run a fresh temporary profile (user-data dir) of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  } catch (error) {
    await stopServing();
    throw error;
  }
  const opened = browser;
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const problems: string[] = [];
  const loads: { name: string; ms: number }[] = [];
  let contexts: BrowserContext[] = [];
  return {
    origin,
    problems,
    loads,
    async open(lang, javaScriptEnabled = true) {
      const context = await opened.newContext({ locale: lang, viewport: { width: 1200, height: 900 }, javaScriptEnabled });
      contexts.push(context);
      const page = await context.newPage();
      watch(page, origin, problems);
      return page;
    },
    async visit(page, name) {
      await page.waitForLoadState('load');
      loads.push({ name, ms: await loadTime(page) });
      await axe(page, problems);
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    },
    async closePages() {
      for (const context of contexts) await context.close();
      contexts = [];
    },
    summary(label) {
      const sorted = loads.map((l) => l.ms).sort((x, y) => x - y);
      const slowest = loads.reduce((a, b) => (b.ms > a.ms ? b : a), loads[0]!);
      return `${label}: ${loads.length} pages, navigation→load median ${sorted[sorted.length >> 1]!.toFixed(0)} ms, max ${slowest.ms.toFixed(0)} ms (${slowest.name})`;
    },
    async close() {
      await opened.close();
      await stopServing();
    },
  };
}
