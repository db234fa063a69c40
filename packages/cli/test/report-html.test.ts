/**
 * `scan --format html` as a reader meets it: the file opened in headless Chromium, driven over the
 * DevTools protocol (`--remote-debugging-pipe`, so no port and no WebSocket client are needed).
 * Checks that it renders, logs no errors, has the 26-row matrix, and switches language by button
 * and by `#lang=`. Without Chromium (Debian's `chromium` package) the browser tests skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import type { ScanReport } from '@apprights/rules';
import { hasTool, realApks } from '@apprights/testkit';
import { renderScanReport } from '@apprights/report';
import { describeRun, repoRoot, runCliAsync, tempDir } from './helpers.js';

const CHROMIUM =
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? (hasTool('chromium') ? 'chromium' : undefined);
const skipBrowser: string | false = CHROMIUM
  ? false
  : 'skipped: Chromium is not installed (apt-get install chromium) so the page cannot be opened';
const skipApiDemos: string | false = existsSync(realApks.apiDemos) ? false : 'skipped: android-apidemos is not installed';
// The JPush SDK binary ships in a pinned devDependency: a real tracker for the disclosure table.
const jpushJar = join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar');
const skipJpush: string | false = existsSync(jpushJar) ? false : 'skipped: jpush-phonegap-plugin is not installed';
const BROWSER_TIMEOUT_MS = 20_000;

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/**
 * One headless Chromium with one page. Every error the page could show a developer is collected:
 * uncaught exceptions, console.error/assert, and browser log errors (CSP violations, failed loads).
 */
class Page {
  readonly errors: string[] = [];
  readonly dialogs: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly waiters: { method: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private buffer = '';
  private sessionId = '';
  private stderr = '';
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => this.receive(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    child.on('exit', () => {
      const gone = new Error(`Chromium exited (killed after ${BROWSER_TIMEOUT_MS} ms, or crashed)\n${this.stderr}`);
      for (const p of this.pending.values()) p.reject(gone);
      for (const w of this.waiters) w.reject(gone);
      this.pending.clear();
      this.waiters.length = 0;
    });
    // A hung browser must not hang the suite: past the budget it is killed and pending calls fail.
    this.timer = setTimeout(() => this.kill(), BROWSER_TIMEOUT_MS);
  }

  static async open(): Promise<Page> {
    const profile = mkdtempSync(join(tmpdir(), 'apprights-chromium-'));
    const child = spawn(
      CHROMIUM!,
      [
        '--headless=new',
        '--disable-gpu',
        '--no-sandbox',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--hide-scrollbars',
        '--window-size=1280,1600',
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
    );
    const page = new Page(child, profile);
    const { targetId } = (await page.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await page.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    page.sessionId = sessionId;
    await Promise.all([page.call('Runtime.enable'), page.call('Log.enable'), page.call('Page.enable')]);
    return page;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as CdpMessage;
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) p?.reject(new Error(message.error.message));
        else p?.resolve(message.result ?? {});
      } else if (message.method) this.event(message.method, message.params ?? {});
    }
  }

  private event(method: string, params: Record<string, unknown>): void {
    if (method === 'Runtime.exceptionThrown') {
      const details = params.exceptionDetails as { text: string; exception?: { description?: string } };
      this.errors.push(`exception: ${details.exception?.description ?? details.text}`);
    } else if (method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(params.type as string)) {
      const args = params.args as { value?: unknown; description?: string }[];
      this.errors.push(`console.${String(params.type)}: ${args.map((a) => String(a.value ?? a.description)).join(' ')}`);
    } else if (method === 'Log.entryAdded') {
      const entry = params.entry as { level: string; text: string; source: string };
      if (entry.level === 'error') this.errors.push(`log (${entry.source}): ${entry.text}`);
    } else if (method === 'Page.javascriptDialogOpening') {
      this.dialogs.push(String(params.message));
      void this.call('Page.handleJavaScriptDialog', { accept: true });
    }
    for (const w of this.waiters.filter((x) => x.method === method)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  private send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message: CdpMessage = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.child.stdio[3] as Writable).write(JSON.stringify(message) + '\0');
    });
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.send(method, params, this.sessionId);
  }

  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => this.waiters.push({ method: 'Page.loadEventFired', resolve, reject }));
    loaded.catch(() => {}); // awaited below; this only keeps a failed navigate from leaving it unhandled
    const result = await this.call('Page.navigate', { url });
    if (result.errorText) throw new Error(`navigation to ${url} failed: ${String(result.errorText)}`);
    await loaded;
  }

  async eval<T>(expression: string): Promise<T> {
    const r = (await this.call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (r.exceptionDetails) throw new Error(`evaluation failed: ${r.exceptionDetails.text}: ${expression}`);
    return r.result.value;
  }

  /** A real mouse click at the element's centre, the way a reader presses the button. */
  async click(selector: string): Promise<void> {
    const box = await this.eval<{ x: number; y: number; w: number; h: number } | null>(
      `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return null; e.scrollIntoView({ block: 'center' });` +
        ` const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; })()`,
    );
    assert.ok(box && box.w > 0 && box.h > 0, `${selector} is on the page and visible`);
    const at = { x: box.x + box.w / 2, y: box.y + box.h / 2, button: 'left', clickCount: 1 };
    await this.call('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
    await this.call('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at });
  }

  /** What is visible: innerText leaves out the hidden language. */
  text(): Promise<string> {
    return this.eval<string>('document.body.innerText');
  }

  private kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.send('Browser.close').catch(() => {});
    const grace = setTimeout(() => this.kill(), 3000);
    await exited;
    clearTimeout(grace);
    // Helper processes (GPU, renderers) share the group; none may outlive the test.
    this.kill();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

async function withPage<T>(work: (page: Page) => Promise<T>): Promise<T> {
  const page = await Page.open();
  try {
    return await work(page);
  } finally {
    await page.close();
  }
}

const dir = tempDir();

async function scanHtml(apk: string, extra: string[] = []): Promise<string> {
  const out = join(dir, `report-${extra.join('') || 'default'}.html`);
  const r = await runCliAsync(['scan', apk, '--no-config', '--format', 'html', '-o', out, ...extra]);
  assert.equal(r.status, 0, describeRun(r));
  return out;
}

async function scanReport(apk: string): Promise<ScanReport> {
  const r = await runCliAsync(['scan', apk, '--no-config', '--format', 'json']);
  assert.equal(r.status, 0, describeRun(r));
  return JSON.parse(r.stdout) as ScanReport;
}

test('html: one self-contained file that names no outside resource', { skip: skipApiDemos }, async () => {
  const html = readFileSync(await scanHtml(realApks.apiDemos), 'utf8');
  assert.match(html, /^<!doctype html>\n<html lang="en"/);
  assert.equal((html.match(/<script\b/g) ?? []).length, 1, 'one inline script');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+rel="stylesheet"|@import|url\(/i);
  assert.doesNotMatch(html, /\b(?:src|href)="(?:https?:)?\/\//, 'nothing loaded from the network (links in tables are not loaded)');
  assert.match(html, /http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
  assert.equal((html.match(/<tr data-measure="miit26-\d\d"/g) ?? []).length, 26);
  assert.match(html, /Measures of catalogue version 2 \(`apprights measures`\)/, 'the report says which catalogue its measures are');
  assert.match(html, /<tr data-measure="miit26-17" data-status="platform-checked"/);
  const zh = readFileSync(await scanHtml(realApks.apiDemos, ['--lang', 'zh']), 'utf8');
  assert.match(zh, /^<!doctype html>\n<html lang="zh-CN"/, '--lang zh opens in Chinese');
});

test(
  'html: renders in Chromium without errors; matrix, charts, language switch and copy work',
  { skip: skipBrowser || skipApiDemos },
  async () => {
    const file = await scanHtml(realApks.apiDemos);
    const report = await scanReport(realApks.apiDemos);
    const url = pathToFileURL(file).href;
    await withPage(async (page) => {
      await page.goto(url);
      assert.equal(await page.eval('document.documentElement.lang'), 'en');
      assert.match(await page.eval<string>('document.title'), /^AppRights compliance report: API Demos/);
      assert.equal(await page.eval('document.querySelectorAll("table.matrix tr[data-measure]").length'), 26);
      assert.equal(await page.eval('document.querySelectorAll("table.matrix tbody[data-group]").length'), 9, 'the nine catalogue groups');
      const statuses = await page.eval<string[]>('[...document.querySelectorAll("tr[data-measure]")].map((r) => r.dataset.status)');
      assert.deepEqual(
        statuses,
        report.coverage.map((c) => c.status),
      );
      // Rendered for real: the matrix has height and the charts have drawn bars.
      assert.ok((await page.eval<number>('document.querySelector("table.matrix").getBoundingClientRect().height')) > 500);
      assert.ok((await page.eval<number>('document.querySelectorAll("#chart-severity rect").length')) >= 8);
      assert.ok((await page.eval<number>('document.querySelectorAll("#chart-status circle").length')) >= 2);
      const findings = await page.eval<number>('document.querySelectorAll("li.finding").length');
      assert.ok(findings >= report.findings.length, 'every finding is listed (under each of its measures)');
      const shot = (await page.call('Page.captureScreenshot', { format: 'png' })) as { data: string };
      assert.ok(Buffer.from(shot.data, 'base64').length > 20_000, 'the screenshot shows a drawn page');

      const english = await page.text();
      assert.match(english, /Coverage of the 26 measures/);
      assert.doesNotMatch(english, /26 项措施覆盖情况/, 'the Chinese text is hidden in English');

      await page.click('#lang-toggle');
      assert.equal(await page.eval('document.documentElement.lang'), 'zh-CN');
      const chinese = await page.text();
      assert.match(chinese, /26 项措施覆盖情况/);
      assert.match(chinese, /加强个人信息保护/, 'group headings from the catalogue');
      assert.doesNotMatch(chinese, /Coverage of the 26 measures/);
      assert.match(await page.eval<string>('document.title'), /^AppRights 合规检测报告：API Demos/);
      assert.equal(await page.eval('location.hash'), '#lang=zh');
      assert.equal(await page.eval('document.getElementById("chart-status").getAttribute("aria-label").startsWith("措施状态分布")'), true);

      await page.click('#lang-toggle');
      assert.equal(await page.eval('document.documentElement.lang'), 'en');
      assert.deepEqual(page.errors, [], 'no errors while reading and switching');
    });

    // A link with #lang=zh opens the English file in Chinese.
    await withPage(async (page) => {
      await page.goto(`${url}#lang=zh`);
      assert.equal(await page.eval('document.documentElement.lang'), 'zh-CN');
      assert.match(await page.text(), /按措施列出的问题/);
      assert.deepEqual(page.errors, []);
    });
  },
);

test(
  'html: the SDK table for the privacy policy lists a tracker SDK and its copy button works',
  { skip: skipBrowser || skipJpush },
  async () => {
    const file = await scanHtml(jpushJar);
    await withPage(async (page) => {
      await page.goto(pathToFileURL(file).href);
      assert.equal(await page.eval('document.querySelectorAll("table.sdk-table.t-en tr[data-sdk=jpush]").length'), 1);
      const row = await page.eval<string>('document.querySelector("table.sdk-table.t-en tr[data-sdk=jpush]").innerText');
      assert.match(row, /JPush/);
      assert.match(row, /Push notifications/);
      await page.click('#copy-sdks');
      // The clipboard may be refused to a headless page; the fallback still reports an outcome.
      for (let i = 0; i < 50 && !(await page.eval<string>('document.querySelector(".copy-status").textContent')); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(await page.eval<string>('document.querySelector(".copy-status").textContent'), /Copied|Could not copy/);
      assert.deepEqual(page.errors, []);
    });
  },
);

test(
  'html: the error detection works (a planted error is caught, and CSP blocks planted script)',
  { skip: skipBrowser || skipApiDemos },
  async () => {
    const html = readFileSync(await scanHtml(realApks.apiDemos), 'utf8');
    const planted = join(dir, 'planted.html');
    // With the page's CSP, an injected inline script must not run at all: Chromium reports the refusal.
    writeFileSync(planted, html.replace('</body>', '<script>window.planted = true; throw new Error("planted failure")</script></body>'));
    // Without the CSP, the same script runs and its exception must be reported.
    const unguarded = join(dir, 'unguarded.html');
    writeFileSync(
      unguarded,
      html
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
        .replace('</body>', '<script>throw new Error("planted failure")</script></body>'),
    );
    await withPage(async (page) => {
      await page.goto(pathToFileURL(planted).href);
      assert.equal(await page.eval('window.planted === undefined'), true, 'the planted script did not run');
      assert.ok(
        page.errors.some((e) => /Content Security Policy/i.test(e)),
        `the CSP refusal is reported: ${JSON.stringify(page.errors)}`,
      );
    });
    await withPage(async (page) => {
      await page.goto(pathToFileURL(unguarded).href);
      assert.ok(
        page.errors.some((e) => e.includes('planted failure')),
        `the exception is reported: ${JSON.stringify(page.errors)}`,
      );
    });
  },
);

const HOSTILE = '<script>alert("label")</script><img src=x onerror=alert(1)>';

async function hostileReport(): Promise<ScanReport> {
  const report = await scanReport(realApks.apiDemos);
  report.app.label = HOSTILE;
  report.app.labels = { default: HOSTILE, 'zh-CN': `"><svg onload=alert(2)>` };
  report.app.package = `com.evil"><script>alert(3)</script>`;
  report.app.versionName = '</title><script>alert(4)</script>';
  report.app.metaData = [{ name: report.permissions[0]!.name, value: '<b onmouseover=alert(5)>purpose</b>' }];
  report.file.name = '<iframe src=javascript:alert(6)>.apk';
  const finding = report.findings[0]!;
  finding.suppressed = { reason: '<script>alert(7)</script>', by: 'rule=*' };
  finding.evidence = [{ kind: 'code', artifact: 'classes<script>.dex', class: 'a.<script>B', method: 'm()V', sdk: '<i>x</i>' }];
  report.sdks.push({
    ...report.sdks[0]!,
    id: 'evil',
    tracker: true,
    version: '<script>alert(8)</script>',
    privacyPolicy: 'javascript:alert(9)',
  });
  return report;
}

test('html: strings from the APK are escaped, never markup', { skip: skipApiDemos }, async () => {
  const report = await hostileReport();
  for (const lang of ['en', 'zh'] as const) {
    const html = renderScanReport(report, 'html', lang);
    assert.equal((html.match(/<script\b/gi) ?? []).length, 1, 'only the report’s own script');
    assert.doesNotMatch(html, /<img src=x|<svg onload|<iframe|<b onmouseover|<i>x<\/i>/i);
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt;'), 'the label is shown as text');
    assert.ok(html.includes('&lt;script&gt;alert(7)&lt;/script&gt;'), 'the suppression reason is shown as text');
  }
  const md = renderScanReport(report, 'md', 'en');
  // The whole Markdown report: every angle bracket from the APK is backslash-escaped.
  assert.doesNotMatch(md, /(?<!\\)<script>|(?<!\\)<img /, 'Markdown escapes it too');
});

test('html: a hostile label shows as text in the browser and runs nothing', { skip: skipBrowser || skipApiDemos }, async () => {
  const file = join(dir, 'hostile.html');
  writeFileSync(file, renderScanReport(await hostileReport(), 'html', 'en'));
  await withPage(async (page) => {
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.eval('document.querySelector(".app-label").textContent'), HOSTILE);
    assert.equal(await page.eval('document.querySelectorAll("img, iframe, svg[onload]").length'), 0);
    assert.deepEqual(page.dialogs, [], 'no alert() ran');
    assert.deepEqual(page.errors, []);
  });
});

test('markdown checks: coverage table of 26, findings under their measures, SDK list', { skip: skipApiDemos }, async () => {
  const report = await scanReport(realApks.settings);
  const md = renderScanReport(report, 'md', 'en');
  const rows = md.split('\n').filter((l) => /^\| \d+ \| /.test(l));
  assert.equal(rows.length, 26);
  assert.match(md, /^## Coverage of the 26 measures$/m);
  assert.match(md, /^### Measure 14 · Stronger technical safeguards/m);
  assert.match(md, /^Measures of catalogue version 2 \(`apprights measures`\)\./m);
  assert.match(md, /^\| 17 \| Patrolling listed apps \| .* \| platform-checked \| /m);
  assert.match(md, /^## Third-party SDKs to disclose$/m);
  assert.match(md, /^- \*\*Google Play services Location/m);
  const zh = renderScanReport(report, 'md', 'zh');
  assert.match(zh, /^## 26 项措施覆盖情况$/m);
  assert.match(zh, /^### 第 14 条 · 增强技术保障能力/m);
});

test(
  'html: the privacy-policy report renders in Chromium without errors, switches language, and shows the policy as text',
  { skip: skipBrowser },
  async () => {
    const policy = join(dir, '隐私政策.html');
    writeFileSync(
      policy,
      '<html><head><title>示例隐私政策 &lt;img src=x onerror=alert(1)&gt;</title></head><body><h1>示例隐私政策</h1>' +
        '<h2>一、我们收集的信息</h2><p>我们会收集您的<strong>精确位置信息</strong>和设备标识符（Android ID）。</p>' +
        '<h2>二、联系我们</h2><p>邮箱 privacy@example.cn，我们将在15个工作日内答复。</p></body></html>',
    );
    const out = join(dir, 'policy-report.html');
    const r = await runCliAsync(['policy', policy, '--no-config', '--format', 'html', '-o', out]);
    assert.equal(r.status, 0, describeRun(r));
    await withPage(async (page) => {
      await page.goto(pathToFileURL(out).href);
      assert.match(await page.eval<string>('document.title'), /^AppRights privacy-policy report: 示例隐私政策 <img src=x/);
      assert.equal(await page.eval('document.querySelectorAll("img, iframe").length'), 0, 'the title is text');
      assert.equal(await page.eval('document.querySelectorAll("table.matrix tr[data-measure]").length'), 26);
      for (const id of ['policy', 'summary', 'findings', 'policy-data', 'policy-sdks', 'coverage'])
        assert.equal(await page.eval(`document.querySelectorAll("section#${id}").length`), 1, id);
      assert.match(await page.text(), /Privacy policy/);
      await page.click('#lang-toggle');
      assert.equal(await page.eval('document.documentElement.lang'), 'zh-CN');
      const chinese = await page.text();
      assert.match(chinese, /隐私政策检测报告/);
      assert.match(chinese, /答复时限/);
      assert.deepEqual(page.dialogs, [], 'no alert() ran');
      assert.deepEqual(page.errors, []);
    });
  },
);
