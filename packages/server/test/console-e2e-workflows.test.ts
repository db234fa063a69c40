// The console's workflow journeys in a real browser (issue 15), like console-e2e.test.ts: Debian's
// Chromium driven by playwright-core against the server on loopback, the real queue and a warm
// worker, on SQLite and PostgreSQL, in zh-CN and en, with the platform's TestClock.
// Journey 3: a regulator runs a campaign over a store's listed ApiDemos (a real scan), triages the
// findings, previews the deadline and publishes a bulletin; the clock jumps past the deadline, the
// re-test (a real scan again) finds the same issues, the item is escalated and the removal order
// reaches the stop-access feed, where an access provider acknowledges it in its console.
// Journey 4: an anonymous visitor with JavaScript off browses the disclosure and files a complaint;
// the operator accepts and answers it in its inbox before the deadline; the regulator's KPI moves.
// Every page visited fails the test on a console error, a failed or refused request, a request to
// another origin, or an axe-core violation of serious or critical impact. Screenshots: test-results/console/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { TestClock } from '../src/calendar/clock.js';
import { shiftDate } from '../src/calendar/dates.js';
import { startDueRetests } from '../src/workflows/regulator/bulletins.js';
import { chromiumAvailable, CHROMIUM, SHOTS, startJourney } from './support/browser.js';
import { bothDatabases } from './support/databases.js';
import { member, type Member } from './support/http.js';
import { APKS, storeApk, testPlatform, waitFor } from './support/jobs.js';
import { addListedApp, addOrgOfKind } from './support/regulator.js';

const available = chromiumAvailable();

type Lang = 'zh-CN' | 'en';

bothDatabases(
  'console journeys in Chromium (zh-CN and en): campaign, bulletin, failed re-test, removal order in the stop-access feed; a complaint filed without JavaScript, answered in time, the KPI moves',
  async (t, under) => {
    if (!available) {
      t.skip(`no Chromium at ${CHROMIUM}`);
      return;
    }
    const clock = new TestClock('2025-09-26');
    const p = await testPlatform(under, { clock });
    // The outbox dispatcher runs in `serve`'s scheduler; the journey's loop does its work.
    const journey = await startJourney(p);
    const { origin, problems } = journey;
    const db = p.store.db;
    const dialect = under.url ? 'postgres' : 'sqlite';
    try {
      const blob = await storeApk(p, APKS.apiDemos);
      for (const lang of ['zh-CN', 'en'] as Lang[]) {
        const tag = `${dialect}-${lang}`;
        const suffix = lang.toLowerCase();
        const zh = lang === 'zh-CN';
        const reg = await member(p, `e2e-regulator-${suffix}`, 'regulator');
        const dev = await member(p, `e2e-operator-${suffix}`, 'developer');
        const provider = await member(p, `e2e-provider-${suffix}`, 'access-provider');
        const storeId = await addOrgOfKind(db, 'store', `e2e-wstore-${suffix}`, `E2E Store ${lang}`);
        await addListedApp(db, {
          developerOrgId: dev.orgId,
          storeIds: [storeId],
          packageName: 'io.appium.android.apis',
          appType: 'utilities',
          blob,
        });
        const complained = await addListedApp(db, {
          developerOrgId: dev.orgId,
          storeIds: [storeId],
          packageName: `com.example.complained.${suffix.replace('-', '')}`,
          appType: 'social',
        });

        const open = (javaScriptEnabled = true) => journey.open(lang, javaScriptEnabled);
        const visit = (page: Page, name: string) => journey.visit(page, `${tag}-${name}`);
        // A page without JavaScript cannot host axe or report its timing: a twin with JavaScript opens the
        // same address for those checks (the markup is the server's either way); the screenshot is the no-script page's.
        let twin: Page | undefined;
        const visitNoScript = async (page: Page, name: string) => {
          await page.waitForLoadState('load');
          twin ??= await open();
          await twin.goto(page.url());
          await visit(twin, name);
          await page.screenshot({ path: join(SHOTS, `${tag}-${name}.png`) });
        };
        const signIn = async (page: Page, who: Member) => {
          await page.goto(`${origin}/console/login?lang=${lang}`);
          await page.fill('input[name="login"]', who.login);
          await page.fill('input[name="password"]', who.password);
          await Promise.all([page.waitForURL(/\/console(\?|$)/), page.click('form.stack button[type="submit"]')]);
        };

        // --- Journey 3: campaign → bulletin → failed re-test → removal order → stop-access feed ------
        const r = await open();
        await signIn(r, reg);
        await visit(r, 'regulator-home');
        await r.goto(`${origin}/console/regulator/campaigns?lang=${lang}`);
        await visit(r, 'regulator-campaigns');
        await r.fill('input[name="name"]', zh ? '应用商店专项检查' : 'Store campaign');
        await r.selectOption('select[name="store"]', storeId);
        await r.fill('input[name="appType"]', 'utilities');
        await Promise.all([r.waitForURL(/\/console\/regulator\/campaigns\/[0-9A-Z]{26}/), r.click('form.stack button[type="submit"]')]);
        const campaignId = /campaigns\/([0-9A-Z]{26})/.exec(r.url())![1]!;
        await r.screenshot({ path: join(SHOTS, `${tag}-regulator-campaign-progress.png`) });
        // console.js follows the jobs and reloads when they are done; the findings come with the job's event.
        await r.locator('[data-poll=""]').waitFor({ timeout: 240_000, state: 'attached' });
        await waitFor(
          'the campaign’s findings',
          async () =>
            (await db.selectFrom('reg_findings').select('id').where('campaign_id', '=', campaignId).execute()).length > 0
              ? true
              : undefined,
          60_000,
        ).catch(async (error: Error) => {
          const stuck = await db.selectFrom('event_deliveries').selectAll().where('state', '!=', 'done').execute();
          throw new Error(`${error.message}; deliveries not done: ${JSON.stringify(stuck)}`);
        });
        await r.reload();
        await visit(r, 'regulator-triage');
        for (const box of await r.locator('input[name="finding"]').all()) await box.check();
        await r.click('button[value="confirm"]');
        await r.waitForURL(/decided=/);
        await Promise.all([r.waitForURL(/bulletins\/new/), r.click(`a[href^="/console/regulator/bulletins/new?campaign=${campaignId}"]`)]);
        await r.fill('input[name="title"]', 'Apps collecting personal information before consent');
        await r.fill('input[name="titleZh"]', '关于侵害用户权益行为的APP通报');
        await r.fill('textarea[name="measure"]', zh ? '在用户同意前停止收集个人信息' : 'Stop collecting before consent');
        await r.fill('input[name="legalBasis"]', '工信部信管函〔2023〕26号');
        await r.fill('input[name="workingDays"]', '15');
        await Promise.all([r.waitForLoadState('load'), r.click('button[value="preview"]')]);
        const due = await r.getAttribute('[data-due]', 'data-due');
        assert.match(due ?? '', /^\d{4}-\d{2}-\d{2}$/, 'the deadline is previewed');
        await visit(r, 'regulator-composer');
        await Promise.all([r.waitForURL(/\/console\/regulator\/bulletins\/[0-9A-Z]{26}/), r.click('button[value="draft"]')]);
        const bulletinId = /bulletins\/([0-9A-Z]{26})/.exec(r.url())![1]!;
        r.once('dialog', (dialog) => void dialog.accept());
        await Promise.all([r.waitForLoadState('load'), r.click('button[value="publish"]')]);
        await r.locator('[data-state="published"]').waitFor();
        assert.match((await r.textContent('main')) ?? '', new RegExp(due!), 'published with the previewed due date');
        await visit(r, 'regulator-bulletin');

        const anon = await open();
        await anon.goto(`${origin}/bulletins?lang=${lang}`);
        await visit(anon, 'public-bulletins');
        await Promise.all([anon.waitForURL(new RegExp(`/bulletins/${bulletinId}`)), anon.click(`a[href^="/bulletins/${bulletinId}"]`)]);
        await visit(anon, 'public-bulletin');

        // Past the deadline: the scheduled re-test (run here) scans the package again and finds the same.
        clock.jumpTo(shiftDate(due!, 1));
        assert.equal(await startDueRetests(p, clock.now()), 1);
        const item = await waitFor(
          'the re-test’s outcome',
          async () => {
            const i = await db.selectFrom('reg_bulletin_items').selectAll().where('bulletin_id', '=', bulletinId).executeTakeFirstOrThrow();
            return i.state === 'escalated' || i.state === 'closed' || i.state === 'untestable' ? i : undefined;
          },
          240_000,
        );
        assert.equal(item.state, 'escalated', 'the same findings came back');
        const removal = await db
          .selectFrom('reg_removal_orders')
          .selectAll()
          .where('bulletin_id', '=', bulletinId)
          .executeTakeFirstOrThrow();
        const entry = await waitFor(
          'the stop-access feed entry',
          async () =>
            db
              .selectFrom('stop_access_orders as o')
              .innerJoin('stop_access_feed as f', 'f.order_id', 'o.id')
              .select('f.seq')
              .where('o.removal_order_id', '=', removal.id)
              .executeTakeFirst(),
          60_000,
        ).catch(async (error: Error) => {
          const stuck = await db.selectFrom('event_deliveries').selectAll().where('state', '!=', 'done').execute();
          throw new Error(`${error.message}; deliveries not done: ${JSON.stringify(stuck)}`);
        });
        await r.reload();
        await r.locator('.item-state.state-escalated').waitFor();
        await visit(r, 'regulator-retest-failed');
        await r.goto(`${origin}/console/regulator/orders?lang=${lang}`);
        await r.locator(`tr[data-seq="${entry.seq}"]`).waitFor();
        await visit(r, 'regulator-orders');

        const ap = await open();
        await signIn(ap, provider);
        await ap.goto(`${origin}/console/provider/feed?lang=${lang}`);
        await visit(ap, 'provider-feed');
        await ap.check(`input[name="seq"][value="${entry.seq}"]`);
        await Promise.all([ap.waitForURL(/acked=1/), ap.click('form.stack button[type="submit"]')]);
        assert.equal(await ap.locator(`input[name="seq"][value="${entry.seq}"]`).count(), 0, 'acknowledged');
        await visit(ap, 'provider-acknowledged');
        await ap.goto(`${origin}/stop-access?lang=${lang}`);
        await visit(ap, 'public-stop-access');

        // --- Journey 4: a complaint without JavaScript, answered in time; the KPI moves ---------------
        const onTime = async () => {
          await r.goto(`${origin}/console/regulator/complaints?lang=${lang}`);
          const cell = r.locator(`tr[data-operator="${dev.orgId}"] td.on-time`);
          return (await cell.count()) === 0 ? 0 : Number(await cell.textContent());
        };
        const before = await onTime();
        const visitor = await open(false);
        await visitor.goto(`${origin}/apps?lang=${lang}&store=${storeId}`);
        await visitNoScript(visitor, 'public-list-nojs');
        await Promise.all([
          visitor.waitForURL(new RegExp(`/apps/${complained.listingId}`)),
          visitor.click(`a[href^="/apps/${complained.listingId}"]`),
        ]);
        await visitNoScript(visitor, 'public-app-nojs');
        await Promise.all([
          visitor.waitForURL(/\/console\/complain\//),
          visitor.click(`a[href^="/console/complain/${complained.listingId}"]`),
        ]);
        await visitNoScript(visitor, 'complaint-form-nojs');
        await visitor.selectOption('select[name="category"]', 'permissions');
        await visitor.fill(
          'textarea[name="text"]',
          zh ? '启动时即索取通讯录权限，拒绝后无法使用。' : 'It asks for the contacts at start and stops if refused.',
        );
        await Promise.all([visitor.waitForURL(/filed=/), visitor.click('form.stack button[type="submit"]')]);
        const complaintId = await visitor.getAttribute('[data-complaint]', 'data-complaint');
        assert.match(complaintId ?? '', /^[0-9A-Z]{26}$/);
        await visitNoScript(visitor, 'complaint-filed-nojs');

        const d = await open();
        await signIn(d, dev);
        await d.goto(`${origin}/console/developer/complaints?lang=${lang}`);
        await visit(d, 'operator-inbox');
        await Promise.all([d.waitForURL(new RegExp(complaintId!)), d.click(`a[href^="/console/developer/complaints/${complaintId}"]`)]);
        await Promise.all([d.waitForLoadState('load'), d.click('button[value="accept"]')]);
        await d.locator('[data-state="accepted"]').waitFor();
        await d.fill('textarea[name="answer"]', zh ? '已在 1.1 版本中改为使用时申请。' : 'Version 1.1 asks only when the feature is used.');
        await Promise.all([d.waitForLoadState('load'), d.click('button[value="answer"]')]);
        await d.locator('[data-state="answered"]').waitFor();
        await visit(d, 'operator-answered');
        assert.equal(await onTime(), before + 1, 'the answer in time counts for the operator');
        await visit(r, 'regulator-kpi');
        await journey.closePages();
      }
      t.diagnostic(journey.summary(dialect));
      assert.deepEqual(problems, [], problems.join('\n'));
    } finally {
      if (problems.length > 0) t.diagnostic(`problems seen:\n${problems.join('\n')}`);
      await journey.close();
      await p.close();
    }
  },
  { timeout: 1_200_000 },
);
