import type { Kysely, Transaction } from 'kysely';
import { writeAudit } from '../../admin.js';
import { loadCalendar } from '../../calendar/store.js';
import { deadline, type ClockDefinition } from '../../calendar/clocks.js';
import { isPlainDate, shanghaiDate, shiftDate, type PlainDate } from '../../calendar/dates.js';
import type { Database } from '../../db/schema.js';
import { newId } from '../../ids.js';
import { addOutbox } from '../../jobs/sql.js';
import type { Platform } from '../../platform.js';
import { notify } from '../notify.js';
import { CAMPAIGN_PRIORITY } from './campaigns.js';

// Bulletins (通报): confirmed findings grouped per app, a measure, a deadline; published to the
// public list; the developers notified. After the deadline an automatic re-test per app decides:
// none of the bulletin's finding fingerprints found again → the item is closed (rectified); any
// found → a removal order (下架): delisting tasks for every store listing that package and an
// outbox event `removal-order.issued` for the stop-access feed.

type Db = Kysely<Database> | Transaction<Database>;

/** Custom clocks of this workflow (the calendar's deadline() counts them like the shipped ones). */
export function bulletinClock(workingDays: number): ClockDefinition {
  return {
    amount: workingDays,
    unit: 'working-days',
    direction: 'after',
    startsAt: 'the bulletin is published',
    en: 'an app named in a bulletin rectifies',
    zh: '被通报应用完成整改',
    source: {
      title: '工业和信息化部关于进一步提升移动互联网应用服务能力的通知（工信部信管函〔2023〕26号）',
      locator: 'Part 三 监督管理: 通报、限期整改; the period is the bulletin’s own (set by the regulator)',
      confidence: 'P',
    },
  };
}

/** A removal order is valid this many calendar days unless the regulator lifts it (configurable later). */
export const REMOVAL_ORDER_VALID_DAYS = 365;
/** Re-tests that fail to run (not: that find the issue) before the item needs the regulator. */
export const MAX_RETEST_ATTEMPTS = 3;

export class BulletinError extends Error {
  constructor(
    readonly code: 'bad-request' | 'conflict' | 'not-found',
    readonly pointer: string | null,
    readonly en: string,
    readonly zh: string,
  ) {
    super(`${en} / ${zh}`);
  }
}

export type DeadlineInput = { date: string } | { workingDays: number };

export interface DueDate {
  dueDate: PlainDate;
  provisional: boolean;
  /** Years without a notice the count went through (empty when exact). */
  uncoveredYears: number[];
  coveredThrough: PlainDate;
}

/** The due date of a bulletin published on `published` (Asia/Shanghai date). */
export async function dueDate(db: Kysely<Database>, input: DeadlineInput, published: PlainDate): Promise<DueDate> {
  const calendar = await loadCalendar(db);
  if ('date' in input) {
    if (!isPlainDate(input.date))
      throw new BulletinError('bad-request', '/deadline/date', 'not a date (YYYY-MM-DD)', '不是有效日期（YYYY-MM-DD）');
    if (input.date <= published)
      throw new BulletinError('bad-request', '/deadline/date', 'the deadline must be after the publication date', '整改期限须晚于发布日期');
    // A fixed date is not counted; past the data it may fall on a holiday the calendar cannot know.
    const provisional = input.date > calendar.coveredThrough;
    return { dueDate: input.date, provisional, uncoveredYears: [], coveredThrough: calendar.coveredThrough };
  }
  const d = deadline(calendar, bulletinClock(input.workingDays), published);
  return {
    dueDate: d.date,
    provisional: d.provisional || d.beyondCoverage,
    uncoveredYears: d.uncoveredYears,
    coveredThrough: calendar.coveredThrough,
  };
}

export interface DraftInput {
  title: string;
  titleZh: string;
  measure: string;
  legalBasis: string;
  findings: string[];
  deadline: DeadlineInput;
  sdkPrefixes?: string[];
  domains?: string[];
  ips?: string[];
}

/** A draft from confirmed findings (reg_findings ids), one item per app. */
export async function draftBulletin(
  platform: Platform,
  input: DraftInput,
  actor: { orgId: string; userId: string | null; ip?: string | null; scope?: string | null },
): Promise<string> {
  const db = platform.store.db;
  const now = platform.clock.now();
  if ('workingDays' in input.deadline) await dueDate(db, input.deadline, shanghaiDate(now));
  else if (!isPlainDate(input.deadline.date))
    throw new BulletinError('bad-request', '/deadline/date', 'not a date (YYYY-MM-DD)', '不是有效日期（YYYY-MM-DD）');
  const ids = [...new Set(input.findings)];
  // Only findings of the regulator's own campaigns (the platform admin: any, scope null).
  let findingQuery = db
    .selectFrom('reg_findings')
    .innerJoin('reg_campaigns', 'reg_campaigns.id', 'reg_findings.campaign_id')
    .selectAll('reg_findings')
    .where('reg_findings.id', 'in', ids);
  if (actor.scope !== undefined && actor.scope !== null) findingQuery = findingQuery.where('reg_campaigns.org_id', '=', actor.scope);
  const rows = await findingQuery.execute();
  for (const [i, id] of ids.entries()) {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new BulletinError('bad-request', `/findings/${i}`, `no finding ${id}`, `没有发现项 ${id}`);
    if (row.state !== 'confirmed')
      throw new BulletinError(
        'bad-request',
        `/findings/${i}`,
        `finding ${id} is not confirmed (${row.state})`,
        `发现项 ${id} 未经确认（${row.state}）`,
      );
  }
  const byApp = new Map<string, typeof rows>();
  for (const r of rows) byApp.set(r.app_id, [...(byApp.get(r.app_id) ?? []), r]);
  const id = newId(now);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('reg_bulletins')
      .values({
        id,
        org_id: actor.orgId,
        state: 'draft',
        title: input.title,
        title_zh: input.titleZh,
        measure: input.measure,
        legal_basis: input.legalBasis,
        sdk_prefixes: JSON.stringify(input.sdkPrefixes ?? []),
        domains: JSON.stringify(input.domains ?? []),
        ips: JSON.stringify(input.ips ?? []),
        deadline_kind: 'date' in input.deadline ? 'date' : 'working-days',
        deadline_value: 'date' in input.deadline ? input.deadline.date : String(input.deadline.workingDays),
        due_date: null,
        provisional: 0,
        created_by: actor.userId,
        created_at: now,
        published_at: null,
        updated_at: now,
      })
      .execute();
    for (const [appId, findings] of byApp) {
      const app = await trx.selectFrom('apps').selectAll().where('id', '=', appId).executeTakeFirstOrThrow();
      const version = await trx
        .selectFrom('versions')
        .select('signer_sha256')
        .where('app_id', '=', appId)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      await trx
        .insertInto('reg_bulletin_items')
        .values({
          id: newId(now),
          bulletin_id: id,
          app_id: appId,
          developer_org_id: app.org_id,
          package_name: app.package_name,
          signer_sha256: version?.signer_sha256 ?? null,
          fingerprints: JSON.stringify([...new Set(findings.map((f) => f.fingerprint))].sort()),
          evidence: JSON.stringify(
            findings.map((f) => ({
              findingId: f.id,
              ruleId: f.rule_id,
              severity: f.severity,
              measures: JSON.parse(f.measures) as unknown,
              reportId: f.report_id,
              note: f.note,
            })),
          ),
          state: 'draft',
          retest_job_id: null,
          retest_report_id: null,
          due_date: null,
          closed_at: null,
          on_time: null,
          updated_at: now,
        })
        .execute();
    }
    await writeAudit(
      trx,
      {
        userId: actor.userId,
        orgId: actor.orgId,
        ip: actor.ip ?? null,
        action: 'regulator.bulletin.draft',
        subject: id,
        detail: { findings: ids.length, apps: byApp.size },
      },
      now,
    );
  });
  return id;
}

/** Publishes a draft: the due date is fixed from today's date, the developers are notified. */
export async function publishBulletin(
  platform: Platform,
  id: string,
  actor: { orgId: string; userId: string | null; ip?: string | null },
): Promise<DueDate> {
  const db = platform.store.db;
  const now = platform.clock.now();
  const bulletin = await db.selectFrom('reg_bulletins').selectAll().where('id', '=', id).executeTakeFirst();
  if (!bulletin) throw new BulletinError('not-found', null, `no bulletin ${id}`, `没有通报 ${id}`);
  const input: DeadlineInput =
    bulletin.deadline_kind === 'date' ? { date: bulletin.deadline_value } : { workingDays: Number(bulletin.deadline_value) };
  const due = await dueDate(db, input, shanghaiDate(now));
  await db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('reg_bulletins')
      .set({ state: 'published', published_at: now, due_date: due.dueDate, provisional: due.provisional ? 1 : 0, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new BulletinError('conflict', null, 'the bulletin is already published', '该通报已发布');
    await trx
      .updateTable('reg_bulletin_items')
      .set({ state: 'open', due_date: due.dueDate, updated_at: now })
      .where('bulletin_id', '=', id)
      .execute();
    const items = await trx.selectFrom('reg_bulletin_items').selectAll().where('bulletin_id', '=', id).execute();
    // Due at the end of the due date, Asia/Shanghai (the re-test runs the day after).
    const dueAt = Date.parse(`${shiftDate(due.dueDate, 1)}T00:00:00+08:00`) - 1;
    for (const item of items)
      await notify(
        trx,
        {
          orgId: item.developer_org_id,
          topic: 'bulletin.issued',
          subject: item.id,
          en: `Bulletin "${bulletin.title}": ${item.package_name} must be rectified by ${due.dueDate}${due.provisional ? ' (provisional date)' : ''}`,
          zh: `通报「${bulletin.title_zh}」：${item.package_name} 须于 ${due.dueDate} 前完成整改${due.provisional ? '（日期为暂定）' : ''}`,
          detail: { bulletinId: id, itemId: item.id, dueDate: due.dueDate, provisional: due.provisional, measure: bulletin.measure },
          dueAt,
        },
        now,
      );
    await writeAudit(
      trx,
      {
        ...actor,
        action: 'regulator.bulletin.publish',
        subject: id,
        detail: { dueDate: due.dueDate, provisional: due.provisional, items: items.length },
      },
      now,
    );
  });
  return due;
}

/**
 * The scheduled re-tests: every open item whose due date is before today (Asia/Shanghai, by the
 * platform's clock) gets one re-test job: a scan of the package listed now when it is stored (the
 * developer's fix is a new version), else the rules over the app's newest stored facts. The item
 * moves to `retesting` in the transaction that submits the job, so two runs cannot submit twice.
 */
export async function startDueRetests(platform: Platform, now: number, limit = 200): Promise<number> {
  const db = platform.store.db;
  const today = shanghaiDate(now);
  const due = await db
    .selectFrom('reg_bulletin_items')
    .selectAll()
    .where('state', '=', 'open')
    .where('due_date', '<', today)
    .orderBy('due_date')
    .orderBy('id')
    .limit(limit)
    .execute();
  let started = 0;
  for (const item of due) if ((await submitRetest(platform, item, now, null)) === 'started') started++;
  return started;
}

type ItemRow = { id: string; app_id: string; developer_org_id: string };

/**
 * Submits one re-test of an `open` item (the package listed now when stored, else the rules over the
 * newest stored facts) and moves the item to `retesting` in the same transaction: a second caller
 * (another node, a double click) finds it no longer open and submits nothing.
 */
async function submitRetest(
  platform: Platform,
  item: ItemRow,
  now: number,
  requestedBy: { userId: string; orgId: string; ip?: string | null } | null,
): Promise<'started' | 'untestable' | 'raced'> {
  const db = platform.store.db;
  const listed = await db
    .selectFrom('listings')
    .innerJoin('versions', 'versions.id', 'listings.version_id')
    .select(['versions.blob_sha256', 'versions.id'])
    .where('listings.app_id', '=', item.app_id)
    .where('listings.state', '=', 'listed')
    .orderBy('versions.id', 'desc')
    .executeTakeFirst();
  const blob = listed && (await platform.blobs.has(listed.blob_sha256)) ? listed.blob_sha256 : undefined;
  const facts = blob
    ? undefined
    : await db
        .selectFrom('reports')
        .innerJoin('versions', 'versions.id', 'reports.version_id')
        .select('reports.id')
        .where('versions.app_id', '=', item.app_id)
        .where('reports.facts', 'is not', null)
        .orderBy('reports.id', 'desc')
        .executeTakeFirst();
  if (!blob && !facts) {
    if (requestedBy) return 'untestable';
    // Nothing to test: the regulator decides by hand.
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('reg_bulletin_items')
        .set({ state: 'untestable', updated_at: now })
        .where('id', '=', item.id)
        .where('state', '=', 'open')
        .execute();
      await writeAudit(trx, { action: 'regulator.retest.untestable', subject: item.id, detail: { appId: item.app_id } }, now);
    });
    return 'untestable';
  }
  try {
    await db.transaction().execute(async (trx) => {
      const job = await platform.queue.submit(
        blob
          ? {
              kind: 'scan',
              orgId: item.developer_org_id,
              createdBy: requestedBy?.userId ?? null,
              payload: { blob },
              priority: CAMPAIGN_PRIORITY,
            }
          : {
              kind: 'rerun-rules',
              orgId: item.developer_org_id,
              createdBy: requestedBy?.userId ?? null,
              payload: { reportId: facts!.id },
              priority: CAMPAIGN_PRIORITY,
            },
        trx,
      );
      const moved = await trx
        .updateTable('reg_bulletin_items')
        .set({ state: 'retesting', retest_job_id: job.id, retest_requested_at: now, updated_at: now })
        .where('id', '=', item.id)
        .where('state', '=', 'open')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new RaceLost(); // another caller took it: roll our job back
      await writeAudit(
        trx,
        {
          userId: requestedBy?.userId ?? null,
          orgId: requestedBy?.orgId ?? null,
          ip: requestedBy?.ip ?? null,
          action: 'regulator.retest.start',
          subject: item.id,
          detail: { jobId: job.id, mode: blob ? 'scan' : 'rerun', requested: requestedBy !== null },
        },
        now,
      );
    });
  } catch (error) {
    if (error instanceof RaceLost) return 'raced';
    throw error;
  }
  return 'started';
}

class RaceLost extends Error {}

/**
 * A re-test the developer (or the regulator) asks for before the deadline: a clean result closes the
 * item early; one that still finds the issue leaves it open (only the deadline's re-test escalates).
 */
export async function requestRetest(
  platform: Platform,
  itemId: string,
  developerOrg: string | null,
  actor: { userId: string; orgId: string; ip?: string | null },
): Promise<void> {
  const db = platform.store.db;
  const now = platform.clock.now();
  let query = db.selectFrom('reg_bulletin_items').selectAll().where('id', '=', itemId);
  if (developerOrg !== null) query = query.where('developer_org_id', '=', developerOrg);
  const item = await query.executeTakeFirst();
  if (!item || item.state === 'draft') throw new BulletinError('not-found', null, `no bulletin item ${itemId}`, `没有通报事项 ${itemId}`);
  if (item.state !== 'open')
    throw new BulletinError('conflict', null, `the item is ${item.state}, not open`, `该事项状态为 ${item.state}，不可复检`);
  if (item.due_date !== null && shanghaiDate(now) > item.due_date)
    throw new BulletinError('conflict', null, 'the deadline has passed; the automatic re-test decides', '整改期限已过，由自动复检决定');
  const outcome = await submitRetest(platform, item, now, actor);
  if (outcome === 'untestable')
    throw new BulletinError(
      'conflict',
      null,
      'nothing to re-test: no stored package or facts for the app',
      '无可复检内容：该应用没有已存安装包或事实数据',
    );
  if (outcome === 'raced') throw new BulletinError('conflict', null, 'a re-test is already running', '复检已在进行中');
}

export interface RemovalOrderPayload {
  orderId: string;
  bulletinId: string;
  packageName: string;
  signerSha256: string | null;
  sdkPrefixes: string[];
  domains: string[];
  ips: string[];
  legalBasis: string;
  /** Asia/Shanghai date through which the order applies. */
  validUntil: string;
  issuedAt: number;
}

/**
 * A re-test job succeeded: close or escalate, effect once. The item moves out of `retesting` only
 * when it still names this job (a redelivered event, or a second node, finds nothing to do).
 */
export async function retestSucceeded(platform: Platform, trx: Transaction<Database>, jobId: string, reportId: string): Promise<void> {
  const now = platform.clock.now();
  const item = await trx
    .selectFrom('reg_bulletin_items')
    .selectAll()
    .where('retest_job_id', '=', jobId)
    .where('state', '=', 'retesting')
    .executeTakeFirst();
  if (!item) return;
  const wanted = JSON.parse(item.fingerprints) as string[];
  const found = wanted.length
    ? await trx.selectFrom('findings').select('fingerprint').where('report_id', '=', reportId).where('fingerprint', 'in', wanted).execute()
    : [];
  const still = [...new Set(found.map((f) => f.fingerprint))].sort();
  // A re-test asked for on or before the due date that still finds the issue: the item stays open.
  const early = item.retest_requested_at !== null && item.due_date !== null && shanghaiDate(item.retest_requested_at) <= item.due_date;
  if (still.length > 0 && early) {
    const reopened = await trx
      .updateTable('reg_bulletin_items')
      .set({ state: 'open', retest_job_id: null, retest_report_id: reportId, updated_at: now })
      .where('id', '=', item.id)
      .where('state', '=', 'retesting')
      .where('retest_job_id', '=', jobId)
      .executeTakeFirst();
    if (Number(reopened.numUpdatedRows) !== 1) return;
    await writeAudit(
      trx,
      { action: 'regulator.retest.still-found', subject: item.id, detail: { jobId, reportId, stillFound: still } },
      now,
    );
    await notify(
      trx,
      {
        orgId: item.developer_org_id,
        topic: 'bulletin.retest-failed',
        subject: item.id,
        en: `${item.package_name}: the re-test still finds the bulletin's issues; rectify by ${item.due_date}`,
        zh: `${item.package_name}：复检仍发现通报所列问题，请于 ${item.due_date} 前完成整改`,
        detail: { itemId: item.id, reportId, stillFound: still },
        dueAt: null,
      },
      now,
    );
    return;
  }
  const state = still.length === 0 ? 'closed' : 'escalated';
  const moved = await trx
    .updateTable('reg_bulletin_items')
    .set({ state, retest_report_id: reportId, closed_at: now, on_time: still.length === 0 ? 1 : 0, updated_at: now })
    .where('id', '=', item.id)
    .where('state', '=', 'retesting')
    .where('retest_job_id', '=', jobId)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return;
  await writeAudit(trx, { action: `regulator.retest.${state}`, subject: item.id, detail: { jobId, reportId, stillFound: still } }, now);
  if (state === 'closed') {
    await notify(
      trx,
      {
        orgId: item.developer_org_id,
        topic: 'bulletin.closed',
        subject: item.id,
        en: `${item.package_name}: the re-test found none of the bulletin's issues; the item is closed`,
        zh: `${item.package_name}：复检未再发现通报问题，该事项已关闭`,
        detail: { itemId: item.id, reportId },
      },
      now,
    );
    return;
  }
  await issueRemovalOrder(trx, item, still, now);
}

async function issueRemovalOrder(
  trx: Transaction<Database>,
  item: { id: string; bulletin_id: string; package_name: string; signer_sha256: string | null; developer_org_id: string },
  stillFound: string[],
  now: number,
): Promise<void> {
  const bulletin = await trx.selectFrom('reg_bulletins').selectAll().where('id', '=', item.bulletin_id).executeTakeFirstOrThrow();
  const orderId = newId(now);
  const payload: RemovalOrderPayload = {
    orderId,
    bulletinId: bulletin.id,
    packageName: item.package_name,
    signerSha256: item.signer_sha256,
    sdkPrefixes: JSON.parse(bulletin.sdk_prefixes) as string[],
    domains: JSON.parse(bulletin.domains) as string[],
    ips: JSON.parse(bulletin.ips) as string[],
    legalBasis: bulletin.legal_basis,
    validUntil: shiftDate(shanghaiDate(now), REMOVAL_ORDER_VALID_DAYS),
    issuedAt: now,
  };
  const inserted = await trx
    .insertInto('reg_removal_orders')
    .values({
      id: orderId,
      item_id: item.id,
      bulletin_id: bulletin.id,
      package_name: payload.packageName,
      signer_sha256: payload.signerSha256,
      sdk_prefixes: JSON.stringify(payload.sdkPrefixes),
      domains: JSON.stringify(payload.domains),
      ips: JSON.stringify(payload.ips),
      legal_basis: payload.legalBasis,
      valid_until: payload.validUntil,
      issued_at: now,
    })
    .onConflict((oc) => oc.column('item_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return;
  const listings = await trx
    .selectFrom('listings')
    .select(['id', 'store_id'])
    .where('package_name', '=', item.package_name)
    .where('state', 'in', ['listed', 'pending'])
    .orderBy('id')
    .execute();
  for (const l of listings) {
    const taskId = newId(now);
    await trx
      .insertInto('reg_delisting_tasks')
      .values({
        id: taskId,
        order_id: orderId,
        listing_id: l.id,
        store_id: l.store_id,
        state: 'open',
        created_at: now,
        done_by: null,
        done_at: null,
      })
      .execute();
    await notify(
      trx,
      {
        orgId: l.store_id,
        topic: 'removal-order.delisting',
        subject: taskId,
        en: `Removal order: delist ${item.package_name} (bulletin "${bulletin.title}")`,
        zh: `下架指令：请下架 ${item.package_name}（通报「${bulletin.title_zh}」）`,
        detail: { orderId, taskId, listingId: l.id },
      },
      now,
    );
  }
  await notify(
    trx,
    {
      orgId: item.developer_org_id,
      topic: 'removal-order.issued',
      subject: orderId,
      en: `${item.package_name}: the issues of bulletin "${bulletin.title}" were found again after the deadline; a removal order was issued`,
      zh: `${item.package_name}：期限届满后复检仍发现通报「${bulletin.title_zh}」所列问题，已下达下架指令`,
      detail: { orderId, stillFound },
    },
    now,
  );
  // The outbox's created_at is the dispatcher's ordering key, in the same (system) time as the job
  // events around it; the order's own time (issuedAt) is the platform clock's.
  await addOutbox(trx, 'removal-order.issued', payload);
  await writeAudit(
    trx,
    { action: 'regulator.removal-order.issue', subject: orderId, detail: { itemId: item.id, listings: listings.length, stillFound } },
    now,
  );
}

/** A re-test job that failed or died: the item goes back to `open` for the next run, a few times. */
export async function retestFailed(platform: Platform, trx: Transaction<Database>, jobId: string, error: string | null): Promise<void> {
  const now = platform.clock.now();
  const item = await trx
    .selectFrom('reg_bulletin_items')
    .selectAll()
    .where('retest_job_id', '=', jobId)
    .where('state', '=', 'retesting')
    .executeTakeFirst();
  if (!item) return;
  const attempts = Number(item.retest_attempts) + 1;
  const state = attempts >= MAX_RETEST_ATTEMPTS ? 'untestable' : 'open';
  await trx
    .updateTable('reg_bulletin_items')
    .set({ state, retest_attempts: attempts, retest_job_id: null, updated_at: now })
    .where('id', '=', item.id)
    .where('retest_job_id', '=', jobId)
    .execute();
  await writeAudit(trx, { action: 'regulator.retest.failed', subject: item.id, detail: { jobId, error, attempts, state } }, now);
}

/** Delisting tasks newest first with their order's package and legal basis (limit + 1 rows); `storeOrg` null: every store's. */
export function listDelistingTasks(
  db: Kysely<Database>,
  storeOrg: string | null,
  options: { state?: 'open' | 'done' | undefined; cursor?: string | undefined; limit: number },
) {
  let query = db
    .selectFrom('reg_delisting_tasks')
    .innerJoin('reg_removal_orders', 'reg_removal_orders.id', 'reg_delisting_tasks.order_id')
    .select([
      'reg_delisting_tasks.id',
      'reg_delisting_tasks.order_id',
      'reg_delisting_tasks.listing_id',
      'reg_delisting_tasks.store_id',
      'reg_delisting_tasks.state',
      'reg_delisting_tasks.created_at',
      'reg_delisting_tasks.done_at',
      'reg_removal_orders.package_name',
      'reg_removal_orders.legal_basis',
    ]);
  if (storeOrg !== null) query = query.where('reg_delisting_tasks.store_id', '=', storeOrg);
  if (options.state) query = query.where('reg_delisting_tasks.state', '=', options.state);
  if (options.cursor) query = query.where('reg_delisting_tasks.id', '<', options.cursor);
  return query
    .orderBy('reg_delisting_tasks.id', 'desc')
    .limit(options.limit + 1)
    .execute();
}

/** A store admin marks a delisting task done: the listing is delisted in the same transaction. */
export async function completeDelisting(
  db: Kysely<Database>,
  taskId: string,
  storeOrg: string | null,
  actor: { userId: string | null; orgId: string; ip?: string | null },
  now: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let query = trx.selectFrom('reg_delisting_tasks').selectAll().where('id', '=', taskId);
    if (storeOrg !== null) query = query.where('store_id', '=', storeOrg);
    const task = await query.executeTakeFirst();
    if (!task) throw new BulletinError('not-found', null, `no delisting task ${taskId}`, `没有下架任务 ${taskId}`);
    const moved = await trx
      .updateTable('reg_delisting_tasks')
      .set({ state: 'done', done_by: actor.userId, done_at: now })
      .where('id', '=', taskId)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new BulletinError('conflict', null, 'the task is already done', '该任务已完成');
    await trx
      .updateTable('listings')
      .set({ state: 'delisted', delisted_at: now, updated_at: now })
      .where('id', '=', task.listing_id)
      .where('state', '<>', 'delisted')
      .execute();
    await writeAudit(
      trx,
      { ...actor, action: 'regulator.delisting.done', subject: taskId, detail: { listingId: task.listing_id, orderId: task.order_id } },
      now,
    );
  });
}

export function parseList(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export type { Db };
