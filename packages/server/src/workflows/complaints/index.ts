import { etagOf, notModified } from '../../http/public-cache.js';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { RateLimitOptions } from '@fastify/rate-limit';
import { Type } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { ClockDefinition } from '../../calendar/clocks.js';
import { CLOCKS, deadline } from '../../calendar/clocks.js';
import { shanghaiDate, shanghaiMidnight } from '../../calendar/dates.js';
import { loadCalendar } from '../../calendar/store.js';
import type { ComplaintsTable, Database } from '../../db/schema.js';
import { EVERYONE, type Actor, type RouteAccess } from '../../http/access.js';
import type { Principal } from '../../http/auth.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem } from '../../http/problems.js';
import { IdParams, PageQuery, page, parseJson, principalOf } from '../../http/routes/common.js';
import { newId } from '../../ids.js';
import type { Platform } from '../../platform.js';
import type { WorkflowModule } from '../module.js';
import { notify } from '../notify.js';
import { csvLine } from './csv.js';

// Complaints (issue 14): anyone may complain about a listed app through a public form (no login,
// limited per address); the complaint goes to the app's operator (the listing's developer
// organisation), who accepts it within 5 working days and answers within 15 working days of
// receipt. Reminders go out before each due date; a complaint not accepted or not answered in time
// is escalated to the regulators. Per operator and quarter, the share answered on time is the
// timeliness KPI (target ≥ 95 %). States: received → accepted → answered → closed, and
// received | accepted → escalated.

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Acceptance within 5 working days. The 2019 认定方法 sets only the handling limit (15 working
 * days); the acceptance step mirrors 电信用户申诉处理办法 第十四条 (an appeal body decides on
 * acceptance within 5 working days of receiving the materials), applied here to the operator.
 */
export const COMPLAINT_ACCEPTANCE: ClockDefinition = {
  ...CLOCKS['appeal-acceptance'],
  startsAt: 'the complaint is received (received state)',
  en: 'an app operator accepts (acknowledges) a complaint',
  zh: 'App 运营者受理投诉',
  source: {
    ...CLOCKS['appeal-acceptance'].source,
    note: 'Applied by analogy: that article binds the telecom appeal body; this platform asks the same of app operators (issue 14).',
  },
};
export const COMPLAINT_ANSWER = 'complaint-handling' as const;
/** Working days before a due date when the operator is reminded. */
export const REMIND_BEFORE = { accept: 1, answer: 3 } as const;
export const KPI_TARGET = 0.95;
/** Complaints per address per hour on the public form. */
export const COMPLAINTS_PER_HOUR = 5;

/** What a complaint is about (the form's choices), with the labels the form shows. */
export const CATEGORY_LABELS = {
  'personal-information': { en: 'Collection or use of personal information', zh: '个人信息收集使用' },
  'account-deletion': { en: 'Account deletion or correction of data', zh: '账号注销或信息更正' },
  permissions: { en: 'Permission requests', zh: '权限索取' },
  'auto-renewal': { en: 'Automatic renewal or charges', zh: '自动续费或扣费' },
  'pop-ups-and-redirects': { en: 'Pop-ups, splash ads and redirects', zh: '弹窗、开屏广告与跳转' },
  'customer-service': { en: 'Customer service cannot be reached', zh: '客服无法联系' },
  other: { en: 'Other', zh: '其他' },
} as const;
export const CATEGORIES = Object.keys(CATEGORY_LABELS) as (keyof typeof CATEGORY_LABELS)[];

const OPERATOR: readonly Actor[] = ['developer'];
/** Who reads complaints: the operator (its own), the regulator and the platform admin (all). */
const READERS: readonly Actor[] = ['developer', 'regulator', 'platform-admin'];

const access: Record<string, RouteAccess> = {
  'GET /api/v1/public/listings/:id/complaint-form': { roles: EVERYONE, scope: 'public' },
  'POST /api/v1/public/listings/:id/complaints': { roles: EVERYONE, scope: 'public' },
  'GET /api/v1/complaints': { roles: READERS, scope: 'own-organisation' },
  'GET /api/v1/complaints/kpi': { roles: READERS, scope: 'own-organisation' },
  'GET /api/v1/complaints/kpi.csv': { roles: READERS, scope: 'own-organisation' },
  'GET /api/v1/complaints/:id': { roles: READERS, scope: 'own-organisation' },
  'POST /api/v1/complaints/:id/accept': { roles: OPERATOR, scope: 'own-organisation' },
  'POST /api/v1/complaints/:id/answer': { roles: OPERATOR, scope: 'own-organisation' },
  'POST /api/v1/complaints/:id/close': { roles: [...OPERATOR, 'regulator'], scope: 'own-organisation' },
};

/** The operator whose complaints the caller reaches, or null (regulator, platform admin). */
export function operatorScope(p: Principal): string | null {
  return p.role === 'developer' ? p.orgId : null;
}

/** The end of a due date (Asia/Shanghai): the instant after which the complaint is late. */
export function endOfDay(date: string): number {
  return shanghaiMidnight(date) + 86_400_000;
}

/** Text without control characters other than tab and line breaks. */
const TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/** A complaint as the API answers it. */
export function complaintView(c: Selectable<ComplaintsTable>) {
  return {
    id: c.id,
    listingId: c.listing_id,
    operatorOrganisationId: c.operator_org_id,
    packageName: c.package_name,
    state: c.state,
    category: c.category,
    text: c.text,
    contact: c.contact,
    receivedOn: c.received_on,
    acceptDue: c.accept_due,
    answerDue: c.answer_due,
    provisional: c.provisional === 1,
    acceptedAt: c.accepted_at,
    answeredAt: c.answered_at,
    answeredOn: c.answered_on,
    answer: c.answer,
    closedAt: c.closed_at,
    escalatedAt: c.escalated_at,
    escalationReason: c.escalation_reason,
    createdAt: c.created_at,
  };
}

async function regulators(db: Db): Promise<string[]> {
  return (await db.selectFrom('organisations').select('id').where('kind', '=', 'regulator').orderBy('id').limit(100).execute()).map(
    (r) => r.id,
  );
}

/**
 * The scheduled work: reminders before the due dates, and escalation of complaints not accepted
 * or not answered by the end of their due date. `now` is the platform clock's.
 */
export async function runComplaintDeadlines(platform: Platform, now: number): Promise<{ reminded: number; escalated: number }> {
  const db = platform.store.db;
  const calendar = await loadCalendar(db);
  const today = shanghaiDate(now);
  const soon = {
    accept: calendar.addWorkingDays(today, REMIND_BEFORE.accept).date,
    answer: calendar.addWorkingDays(today, REMIND_BEFORE.answer).date,
  };
  let reminded = 0;
  let escalated = 0;
  const open = await db
    .selectFrom('complaints')
    .selectAll()
    .where('state', 'in', ['received', 'accepted'])
    .where((eb) => eb.or([eb('accept_due', '<=', soon.accept), eb('answer_due', '<=', soon.answer)]))
    .orderBy('id')
    .limit(5000)
    .execute();
  for (const c of open) {
    await db.transaction().execute(async (trx) => {
      const late =
        c.state === 'received' && today > c.accept_due
          ? { en: 'not accepted within 5 working days', zh: '未在 5 个工作日内受理', clock: 'accept' }
          : today > c.answer_due
            ? { en: 'not answered within 15 working days', zh: '未在 15 个工作日内答复', clock: 'answer' }
            : null;
      if (late) {
        const moved = await trx
          .updateTable('complaints')
          .set({ state: 'escalated', escalated_at: now, escalation_reason: late.en, updated_at: now })
          .where('id', '=', c.id)
          .where('state', '=', c.state)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) === 0) return;
        for (const orgId of [...(await regulators(trx)), c.operator_org_id])
          await notify(
            trx,
            {
              orgId,
              topic: 'complaint.escalated',
              subject: c.id,
              en: `Complaint about ${c.package_name} escalated: ${late.en}`,
              zh: `关于 ${c.package_name} 的投诉已升级：${late.zh}`,
              detail: {
                complaint: c.id,
                operator: c.operator_org_id,
                receivedOn: c.received_on,
                acceptDue: c.accept_due,
                answerDue: c.answer_due,
              },
            },
            now,
          );
        await writeAudit(trx, { action: 'complaint.escalate', subject: c.id, detail: { reason: late.clock, from: c.state } }, now);
        escalated++;
        return;
      }
      const sent = JSON.parse(c.reminded) as string[];
      const due: ('accept' | 'answer')[] = [];
      if (c.state === 'received' && c.accept_due <= soon.accept && !sent.includes('accept')) due.push('accept');
      if (c.answer_due <= soon.answer && !sent.includes('answer')) due.push('answer');
      if (due.length === 0) return;
      const moved = await trx
        .updateTable('complaints')
        .set({ reminded: JSON.stringify([...sent, ...due]), updated_at: now })
        .where('id', '=', c.id)
        .where('reminded', '=', c.reminded)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return;
      for (const what of due) {
        const date = what === 'accept' ? c.accept_due : c.answer_due;
        await notify(
          trx,
          {
            orgId: c.operator_org_id,
            topic: `complaint.reminder.${what}`,
            subject: c.id,
            en: `Complaint about ${c.package_name}: ${what === 'accept' ? 'accept it' : 'answer it'} by ${date}`,
            zh: `关于 ${c.package_name} 的投诉：请于 ${date} 前${what === 'accept' ? '受理' : '答复'}`,
            detail: { complaint: c.id, due: date },
            dueAt: endOfDay(date),
          },
          now,
        );
        reminded++;
      }
      await writeAudit(trx, { action: 'complaint.remind', subject: c.id, detail: { reminders: due } }, now);
    });
  }
  return { reminded, escalated };
}

/** "2025-Q4" → its first and last dates. */
export function quarterRange(quarter: string): { from: string; to: string } {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!m)
    throw problem('bad-request', 'quarter must look like 2025-Q4 / 季度格式应为 2025-Q4', {
      errors: [{ pointer: '/quarter', message: 'YYYY-Qn' }],
    });
  const year = Number(m[1]);
  const q = Number(m[2]);
  const pad = (n: number) => String(n).padStart(2, '0');
  const lastDay = [31, 30, 30, 31][q - 1]!;
  return { from: `${year}-${pad(q * 3 - 2)}-01`, to: `${year}-${pad(q * 3)}-${pad(lastDay)}` };
}

export interface KpiRow {
  operatorOrganisationId: string;
  operator: string;
  received: number;
  answeredOnTime: number;
  answeredLate: number;
  /** Past the answer date without an answer (escalated ones included). */
  overdue: number;
  /** Not answered and not yet due: not counted in the rate. */
  pending: number;
  /** answeredOnTime / (answeredOnTime + answeredLate + overdue); null when none is due yet. */
  onTimeRate: number | null;
  target: number;
  meetsTarget: boolean | null;
}

/** The timeliness KPI per operator for a quarter (an operator: its own row). */
export async function complaintKpi(db: Db, quarter: string, operator: string | null, today: string): Promise<KpiRow[]> {
  const { from, to } = quarterRange(quarter);
  let q = db
    .selectFrom('complaints as c')
    .innerJoin('organisations as o', 'o.id', 'c.operator_org_id')
    .select((eb) => [
      'c.operator_org_id as operatorId',
      'o.name as operator',
      eb.fn.countAll<number>().as('received'),
      sql<number>`sum(case when c.answered_on is not null and c.answered_on <= c.answer_due then 1 else 0 end)`.as('onTime'),
      sql<number>`sum(case when c.answered_on is not null and c.answered_on > c.answer_due then 1 else 0 end)`.as('late'),
      sql<number>`sum(case when c.answered_on is null and c.answer_due < ${today} then 1 else 0 end)`.as('overdue'),
    ])
    .where('c.received_on', '>=', from)
    .where('c.received_on', '<=', to)
    .groupBy(['c.operator_org_id', 'o.name'])
    .orderBy('c.operator_org_id');
  if (operator !== null) q = q.where('c.operator_org_id', '=', operator);
  const rows = await q.execute();
  return rows.map((r) => {
    const received = Number(r.received);
    const onTime = Number(r.onTime);
    const late = Number(r.late);
    const overdue = Number(r.overdue);
    const due = onTime + late + overdue;
    const rate = due === 0 ? null : onTime / due;
    return {
      operatorOrganisationId: r.operatorId,
      operator: r.operator,
      received,
      answeredOnTime: onTime,
      answeredLate: late,
      overdue,
      pending: received - due,
      onTimeRate: rate === null ? null : Math.round(rate * 10_000) / 10_000,
      target: KPI_TARGET,
      meetsTarget: rate === null ? null : rate >= KPI_TARGET,
    };
  });
}

/** Per client address: the public form needs no login, so the address is what limits abuse (the REST route and the console form). */
export const COMPLAINT_RATE_LIMIT = {
  max: COMPLAINTS_PER_HOUR,
  timeWindow: 3_600_000,
  keyGenerator: (request) => `complaint:${request.ip}`,
  errorResponseBuilder: (_request, context) =>
    problem('rate-limited', `more than ${context.max} complaints per hour from this address / 同一地址每小时投诉超过 ${context.max} 次`, {
      retryAfterSeconds: context.ttl / 1000,
    }),
} satisfies RateLimitOptions;

/** What the public complaint form sends (REST body and console form alike). */
export const ComplaintBody = Type.Object(
  {
    category: Type.Union(CATEGORIES.map((c) => Type.Literal(c))),
    text: Type.String({ minLength: 10, maxLength: 2000, pattern: TEXT }),
    contact: Type.Optional(
      Type.String({ maxLength: 200, pattern: TEXT, description: 'optional: a phone number or an e-mail address for the answer' }),
    ),
    appVersion: Type.Optional(Type.String({ maxLength: 64, pattern: TEXT })),
  },
  { additionalProperties: false },
);

/** The operator's answer. */
export const AnswerBody = Type.Object(
  { answer: Type.String({ minLength: 1, maxLength: 5000, pattern: TEXT }) },
  { additionalProperties: false },
);

export interface ComplaintInput {
  category: (typeof CATEGORIES)[number];
  text: string;
  contact?: string | undefined;
  appVersion?: string | undefined;
}

/** Files a complaint about a listed app: due dates from the calendar, the operator notified. */
export async function fileComplaint(platform: Platform, listingId: string, body: ComplaintInput) {
  const db = platform.store.db;
  const listing = await db
    .selectFrom('listings')
    .select(['id', 'developer_org_id', 'package_name', 'state'])
    .where('id', '=', listingId)
    .where('state', '=', 'listed')
    .executeTakeFirst();
  if (!listing) throw problem('not-found', `no listed app ${listingId} / 没有在架应用 ${listingId}`);
  const now = platform.clock.now();
  const receivedOn = shanghaiDate(now);
  const calendar = await loadCalendar(db);
  const accept = deadline(calendar, COMPLAINT_ACCEPTANCE, receivedOn);
  const answer = deadline(calendar, COMPLAINT_ANSWER, receivedOn);
  const provisional = accept.provisional || answer.provisional || answer.beyondCoverage;
  const id = newId(now);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('complaints')
      .values({
        id,
        listing_id: listing.id,
        operator_org_id: listing.developer_org_id,
        package_name: listing.package_name,
        state: 'received',
        category: body.category,
        text: body.text.trim(),
        contact: body.contact?.trim() || null,
        received_on: receivedOn,
        accept_due: accept.date,
        answer_due: answer.date,
        provisional: provisional ? 1 : 0,
        accepted_at: null,
        answered_at: null,
        answered_on: null,
        answer: null,
        closed_at: null,
        escalated_at: null,
        escalation_reason: null,
        reminded: '[]',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await notify(
      trx,
      {
        orgId: listing.developer_org_id,
        topic: 'complaint.received',
        subject: id,
        en: `New complaint about ${listing.package_name}: accept it by ${accept.date}, answer by ${answer.date}`,
        zh: `关于 ${listing.package_name} 的新投诉：请于 ${accept.date} 前受理，${answer.date} 前答复`,
        detail: { complaint: id, category: body.category, acceptDue: accept.date, answerDue: answer.date, provisional },
        dueAt: endOfDay(accept.date),
      },
      now,
    );
    // The address is not stored (the rate limit keeps it in memory for an hour); the audit says only that the public filed it.
    await writeAudit(trx, { action: 'complaint.receive', subject: id, detail: { listing: listing.id, category: body.category } }, now);
  });
  return { id, state: 'received', receivedOn, acceptDue: accept.date, answerDue: answer.date, provisional };
}

/** A complaint the caller reaches (an operator: its own); 404 otherwise. */
export async function findComplaint(db: Db, id: string, p: Principal) {
  let q = db.selectFrom('complaints').selectAll().where('id', '=', id);
  const operator = operatorScope(p);
  if (operator !== null) q = q.where('operator_org_id', '=', operator);
  const row = await q.executeTakeFirst();
  if (!row) throw problem('not-found', `no complaint ${id} / 没有投诉 ${id}`);
  return row;
}

/** One step of the state machine, only from `from` (a concurrent step gets 409); audited. */
export async function complaintStep(
  platform: Platform,
  p: Principal,
  id: string,
  from: ComplaintsTable['state'][],
  to: ComplaintsTable['state'],
  set: (now: number) => Partial<Selectable<ComplaintsTable>>,
  ip: string | null,
) {
  const db = platform.store.db;
  const c = await findComplaint(db, id, p);
  if (!from.includes(c.state))
    throw problem('conflict', `the complaint is ${c.state}, not ${from.join(' or ')} / 投诉当前状态为 ${c.state}`);
  const now = platform.clock.now();
  await db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('complaints')
      .set({ ...set(now), state: to, updated_at: now })
      .where('id', '=', c.id)
      .where('state', '=', c.state)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) throw problem('conflict', 'the complaint changed meanwhile / 投诉状态已被更改');
    await writeAudit(
      trx,
      { userId: p.userId, orgId: p.orgId, ip, action: `complaint.${to}`, subject: c.id, detail: { from: c.state } },
      now,
    );
  });
  return complaintView(await findComplaint(db, c.id, p));
}

/** The operator accepts (acknowledges) a received complaint. */
export function acceptComplaint(platform: Platform, p: Principal, id: string, ip: string | null) {
  return complaintStep(platform, p, id, ['received'], 'accepted', (now) => ({ accepted_at: now }), ip);
}

/** The operator answers an accepted complaint (the answer date counts for the KPI). */
export function answerComplaint(platform: Platform, p: Principal, id: string, answer: string, ip: string | null) {
  return complaintStep(
    platform,
    p,
    id,
    ['accepted'],
    'answered',
    (now) => ({ answered_at: now, answered_on: shanghaiDate(now), answer }),
    ip,
  );
}

function routes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  api.get(
    '/public/listings/:id/complaint-form',
    {
      schema: {
        tags: ['complaints'],
        summary: 'What the public complaint form of a listed app shows: the app, the categories, the limits and the clocks (cacheable)',
        security: [],
        params: IdParams,
      },
    },
    async (request, reply) => {
      const listing = await db
        .selectFrom('listings')
        .select(['id', 'package_name', 'elements', 'updated_at'])
        .where('id', '=', request.params.id)
        .where('state', '=', 'listed')
        .executeTakeFirst();
      if (!listing) throw problem('not-found', `no listed app ${request.params.id} / 没有在架应用 ${request.params.id}`);
      const elements = (parseJson(listing.elements) ?? {}) as { name?: string; developer?: string };
      const form = {
        listing: { id: listing.id, packageName: listing.package_name, name: elements.name ?? null, developer: elements.developer ?? null },
        categories: CATEGORIES.map((id) => ({ id, ...CATEGORY_LABELS[id] })),
        fields: {
          text: { required: true, minLength: 10, maxLength: 2000 },
          contact: { required: false, maxLength: 200 },
          appVersion: { required: false, maxLength: 64 },
        },
        perAddressPerHour: COMPLAINTS_PER_HOUR,
        clocks: {
          acceptWithinWorkingDays: COMPLAINT_ACCEPTANCE.amount,
          answerWithinWorkingDays: CLOCKS[COMPLAINT_ANSWER].amount,
        },
      };
      const etag = etagOf(JSON.stringify(form));
      reply.header('etag', etag).header('cache-control', 'public, max-age=300');
      if (notModified(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return form;
    },
  );

  api.post(
    '/public/listings/:id/complaints',
    {
      config: {
        // Per client address: the form needs no login, so the address is what limits abuse.
        rateLimit: COMPLAINT_RATE_LIMIT,
      },
      schema: {
        tags: ['complaints'],
        summary: `Complain about a listed app (no login; ${COMPLAINTS_PER_HOUR} per address and hour); the app's operator must accept it within 5 and answer within 15 working days`,
        security: [],
        params: IdParams,
        body: ComplaintBody,
      },
    },
    async (request, reply) => reply.code(201).send(await fileComplaint(platform, request.params.id, request.body)),
  );

  const find = (id: string, p: Principal) => findComplaint(db, id, p);

  api.get(
    '/complaints',
    {
      schema: {
        tags: ['complaints'],
        summary: 'Complaints, newest first (an operator sees its own)',
        querystring: Type.Object(
          {
            ...PageQuery,
            state: Type.Optional(Type.Union(['received', 'accepted', 'answered', 'closed', 'escalated'].map((s) => Type.Literal(s)))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      let q = db.selectFrom('complaints').selectAll();
      const operator = operatorScope(p);
      if (operator !== null) q = q.where('operator_org_id', '=', operator);
      if (request.query.state) q = q.where('state', '=', request.query.state as ComplaintsTable['state']);
      if (request.query.cursor) q = q.where('id', '<', request.query.cursor);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, complaintView);
    },
  );

  const QuarterQuery = Type.Object(
    { quarter: Type.String({ pattern: '^\\d{4}-Q[1-4]$', description: 'e.g. 2025-Q4 (by the date received, Asia/Shanghai)' }) },
    { additionalProperties: false },
  );

  api.get(
    '/complaints/kpi',
    {
      schema: {
        tags: ['complaints'],
        summary: `Per operator: the quarter's complaints answered within 15 working days (target ≥ ${KPI_TARGET * 100} %)`,
        querystring: QuarterQuery,
      },
    },
    async (request) => {
      const p = principalOf(request);
      const items = await complaintKpi(db, request.query.quarter, operatorScope(p), shanghaiDate(platform.clock.now()));
      return { quarter: request.query.quarter, target: KPI_TARGET, items };
    },
  );

  api.get(
    '/complaints/kpi.csv',
    {
      schema: { tags: ['complaints'], summary: 'The timeliness KPI as CSV (cells safe from formula injection)', querystring: QuarterQuery },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const items = await complaintKpi(db, request.query.quarter, operatorScope(p), shanghaiDate(platform.clock.now()));
      const lines = [
        csvLine([
          'quarter',
          'operator_id',
          'operator',
          'received',
          'answered_on_time',
          'answered_late',
          'overdue',
          'pending',
          'on_time_rate',
          'target',
          'meets_target',
        ]),
        ...items.map((r) =>
          csvLine([
            request.query.quarter,
            r.operatorOrganisationId,
            r.operator,
            r.received,
            r.answeredOnTime,
            r.answeredLate,
            r.overdue,
            r.pending,
            r.onTimeRate ?? '',
            r.target,
            r.meetsTarget === null ? '' : r.meetsTarget ? 'yes' : 'no',
          ]),
        ),
      ];
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="complaints-kpi-${request.query.quarter}.csv"`)
        .send(lines.join('\r\n') + '\r\n');
    },
  );

  api.get('/complaints/:id', { schema: { tags: ['complaints'], summary: 'A complaint', params: IdParams } }, async (request) =>
    complaintView(await find(request.params.id, principalOf(request))),
  );

  const step = (
    request: { params: { id: string }; ip: string },
    p: Principal,
    from: ComplaintsTable['state'][],
    to: ComplaintsTable['state'],
    set: (now: number) => Partial<Selectable<ComplaintsTable>>,
  ) => complaintStep(platform, p, request.params.id, from, to, set, request.ip);

  api.post(
    '/complaints/:id/accept',
    {
      schema: {
        tags: ['complaints'],
        summary: 'The operator accepts the complaint',
        params: IdParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      },
    },
    async (request) => acceptComplaint(platform, principalOf(request), request.params.id, request.ip),
  );

  api.post(
    '/complaints/:id/answer',
    {
      schema: {
        tags: ['complaints'],
        summary: 'The operator answers the accepted complaint',
        params: IdParams,
        body: AnswerBody,
      },
    },
    async (request) => answerComplaint(platform, principalOf(request), request.params.id, request.body.answer, request.ip),
  );

  api.post(
    '/complaints/:id/close',
    {
      schema: {
        tags: ['complaints'],
        summary: 'Close an answered complaint',
        params: IdParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      },
    },
    async (request) => step(request, principalOf(request), ['answered'], 'closed', (now) => ({ closed_at: now })),
  );
}

export const complaintsWorkflow: WorkflowModule = {
  name: 'complaints',
  access,
  routes,
  tasks: (platform) => [
    {
      name: 'complaints-deadlines',
      everyMs: 15 * 60_000,
      run: async () => {
        await runComplaintDeadlines(platform, platform.clock.now());
      },
    },
  ],
};
