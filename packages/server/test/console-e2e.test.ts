// The console in a real browser (issue 15): Debian's Chromium driven by playwright-core against the
// server listening on loopback, with the real queue and warm workers, on SQLite and PostgreSQL, in
// zh-CN and en. Journey 1: a developer states the organisation (a store admin verifies it in the
// console), uploads ApiDemos, watches the progress and reads the report. Journey 2: a store admin
// sends every finding to review; a reviewer rejects with reasons linked to findings; the developer
// reads them and resubmits; the reviewer passes; the app is on the public list. Every page visited
// fails the test on a console error, a failed or refused request, a request to another origin, or
// an axe-core violation of serious or critical impact. Screenshots: test-results/console/.
// Without Chromium the test skips with a message; with CI=true it fails instead.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bothDatabases } from './support/databases.js';
import { member, type Member } from './support/http.js';
import { APKS, testPlatform } from './support/jobs.js';
import { API_DEMOS_LISTING, API_DEMOS_PERMISSION_LINES } from './support/api-demos-listing.js';
import { chromiumAvailable, CHROMIUM, SHOTS, startJourney } from './support/browser.js';

const POLICY = API_DEMOS_LISTING.policy;
const PERMISSIONS = API_DEMOS_PERMISSION_LINES;

const available = chromiumAvailable();

type Lang = 'zh-CN' | 'en';

bothDatabases(
  'console journeys in Chromium (zh-CN and en): developer verification, upload, progress, report; review, rejection, resubmission, listing',
  async (t, under) => {
    if (!available) {
      t.skip(`no Chromium at ${CHROMIUM}`);
      return;
    }
    const policyServer: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(POLICY);
    });
    await new Promise<void>((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
    const policyUrl = `http://127.0.0.1:${(policyServer.address() as AddressInfo).port}/privacy`;
    const p = await testPlatform(under, { config: { allowPrivateFetch: true } });
    // The outbox dispatcher runs in `serve`'s scheduler; the journey's loop does its work.
    const journey = await startJourney(p);
    const { origin, problems } = journey;
    const db = under.url ? 'postgres' : 'sqlite';
    try {
      for (const lang of ['zh-CN', 'en'] as Lang[]) {
        const tag = `${db}-${lang}`;
        const shot = async (page: Page, name: string) => {
          await page.screenshot({ path: join(SHOTS, `${tag}-${name}.png`) });
        };
        const dev = await member(p, `e2e-dev-${lang.toLowerCase()}`, 'developer');
        const admin = await member(p, `e2e-store-${lang.toLowerCase()}`, 'store-admin');
        const reviewer = await member(p, `e2e-store-${lang.toLowerCase()}`, 'store-reviewer');
        await p.store.db
          .updateTable('organisations')
          .set({ name: `E2E Store ${lang}` })
          .where('id', '=', admin.orgId)
          .execute();
        const open = () => journey.open(lang);
        const visit = (page: Page, name: string) => journey.visit(page, `${tag}-${name}`);
        const signIn = async (page: Page, who: Member) => {
          await page.goto(`${origin}/console/login?lang=${lang}`);
          await visit(page, `login-${who.role}`);
          await page.fill('input[name="login"]', who.login);
          await page.fill('input[name="password"]', who.password);
          await Promise.all([page.waitForURL(/\/console(\?|$)/), page.click('form.stack button[type="submit"]')]);
        };
        const submitApk = async (page: Page, name: string) => {
          await page.selectOption('select[name="store"]', admin.orgId);
          await page.selectOption('select[name="appType"]', 'utilities');
          await page.fill('input[name="name"]', name);
          await page.fill('input[name="version"]', '5.0.0');
          await page.fill('input[name="developer"]', '示例科技有限公司');
          await page.fill('input[name="privacyPolicyUrl"]', policyUrl);
          await page.fill('textarea[name="permissions"]', PERMISSIONS);
          await page.fill('textarea[name="description"]', 'API demos');
          await page.setInputFiles('input[name="file"]', APKS.apiDemos);
          await Promise.all([page.waitForURL(/\/console\/submissions\/[0-9A-Z]+/), page.click('form.stack button[type="submit"]')]);
        };
        /** The page follows the job by itself (console.js) and reloads when detection ends. */
        const awaitOutcome = async (page: Page) => {
          await page.locator('[data-poll=""]').waitFor({ timeout: 180_000, state: 'attached' });
          await page.waitForLoadState('load');
        };

        // --- Journey 1 -------------------------------------------------------------------------------
        const d = await open();
        await signIn(d, dev);
        await visit(d, 'dev-home');
        await d.goto(`${origin}/console/developer/identity?lang=${lang}`);
        await d.fill('input[name="enterpriseName"]', '示例科技有限公司');
        await d.fill('input[name="creditCode"]', '91110108123456788E');
        await d.fill('input[name="contactName"]', '张三');
        await d.fill('input[name="contactEmail"]', 'zhang@example.com');
        await d.click('form.stack button[type="submit"]');
        await d.waitForSelector('.notice');
        await visit(d, 'dev-identity');
        // The store admin verifies the organisation from the console.
        const a = await open();
        await signIn(a, admin);
        await a.goto(`${origin}/console/store/developers?lang=${lang}`);
        await visit(a, 'admin-developers');
        await a.click(`form[action^="/console/store/developers/${dev.orgId}/decision"] button[value="verified"]`);
        await a.waitForURL(/state=verified/);
        await visit(a, 'admin-verified');
        await d.reload();
        assert.match((await d.textContent('.state')) ?? '', lang === 'zh-CN' ? /已认证/ : /verified/);
        await d.goto(`${origin}/console/developer/submit?lang=${lang}`);
        await visit(d, 'dev-submit');
        await submitApk(d, 'API Demos');
        await shot(d, 'dev-progress');
        await awaitOutcome(d);
        await visit(d, 'dev-outcome');
        assert.match((await d.textContent('[data-state]')) ?? '', lang === 'zh-CN' ? /已上架/ : /listed/);
        await Promise.all([d.waitForURL(/\/console\/reports\//), d.click('a[href^="/console/reports/"]')]);
        const frame = d.frameLocator('iframe.report');
        await frame.locator('body').waitFor();
        assert.ok(((await frame.locator('body').textContent()) ?? '').length > 200, 'the report is rendered');
        await visit(d, 'dev-report');

        // --- Journey 2 -------------------------------------------------------------------------------
        await a.goto(`${origin}/console/store/gate?lang=${lang}`);
        await a.fill(
          'textarea[name="policy"]',
          JSON.stringify({ rules: [{ id: 'every-finding', when: { severityAtLeast: 'low' }, then: 'manual-review' }], otherwise: 'pass' }),
        );
        await a.click('form.stack button[type="submit"]');
        await a.waitForSelector('.notice');
        await visit(a, 'admin-gate');

        await d.goto(`${origin}/console/developer/submit?lang=${lang}`);
        await submitApk(d, 'API Demos');
        await awaitOutcome(d);
        const submission = d.url().match(/\/console\/submissions\/([0-9A-Z]+)/)![1]!;

        const r = await open();
        await signIn(r, reviewer);
        await r.goto(`${origin}/console/submissions?state=review&lang=${lang}`);
        await visit(r, 'reviewer-queue');
        await Promise.all([r.waitForURL(new RegExp(submission)), r.click(`a[href^="/console/submissions/${submission}"]`)]);
        await r.click(`form[action^="/console/submissions/${submission}/claim"] button`);
        await r.waitForSelector('form.decision');
        await visit(r, 'reviewer-claimed');
        await r.check('input[name="reason"][form="decision-form"] >> nth=0');
        await r.fill('textarea[name="comment"]', lang === 'zh-CN' ? '请说明短信权限的用途' : 'Explain the SMS permissions');
        await r.click('button[value="reject"]');
        await r.waitForSelector('.comment');
        await visit(r, 'reviewer-rejected');

        await d.reload();
        assert.match((await d.textContent('.comment')) ?? '', lang === 'zh-CN' ? /请说明短信权限的用途/ : /Explain the SMS permissions/);
        // The ticked finding is named in what the developer reads.
        assert.match(
          (await d.textContent('.comment')) ?? '',
          lang === 'zh-CN' ? /依据: \S+ \([^)]{1,12}\)/ : /Findings: \S+ \([^)]{1,12}\)/,
        );
        await visit(d, 'dev-rejected');
        await Promise.all([d.waitForURL(/resubmit=/), d.click('a[href*="resubmit="]')]);
        assert.equal(await d.inputValue('input[name="name"]'), 'API Demos', 'the form comes filled in');
        await d.setInputFiles('input[name="file"]', APKS.apiDemos);
        await Promise.all([d.waitForURL(/\/console\/submissions\/[0-9A-Z]+/), d.click('form.stack button[type="submit"]')]);
        await awaitOutcome(d);
        const resubmission = d.url().match(/\/console\/submissions\/([0-9A-Z]+)/)![1]!;
        assert.notEqual(resubmission, submission);

        await r.goto(`${origin}/console/submissions/${resubmission}?lang=${lang}`);
        await r.click(`form[action^="/console/submissions/${resubmission}/claim"] button`);
        await r.waitForSelector('form.decision');
        await r.fill('textarea[name="comment"]', 'OK');
        await r.click('button[value="pass"]');
        await r.waitForSelector('.comment');
        assert.match((await r.textContent('[data-state]')) ?? '', lang === 'zh-CN' ? /已上架/ : /listed/);

        const anon = await open();
        await anon.goto(`${origin}/apps?lang=${lang}&store=${admin.orgId}`);
        await visit(anon, 'public-list');
        assert.match((await anon.textContent('main')) ?? '', /API Demos/);
        await Promise.all([anon.waitForURL(/\/apps\/[0-9A-Z]+/), anon.click('main table a')]);
        await visit(anon, 'public-app');
        await journey.closePages();
      }
      t.diagnostic(journey.summary(db));
      assert.deepEqual(problems, [], problems.join('\n'));
    } finally {
      await journey.close();
      await p.close();
      policyServer.close();
    }
  },
  { timeout: 900_000 },
);
