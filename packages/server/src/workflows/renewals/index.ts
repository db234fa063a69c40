import { sql, type Selectable } from 'kysely';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { writeAudit } from '../../admin.js';
import { CLOCKS } from '../../calendar/clocks.js';
import { fromDayNumber } from '../../calendar/dates.js';
import type { Database, RenewalImportsTable } from '../../db/schema.js';
import type { Actor, RouteAccess } from '../../http/access.js';
import type { Principal } from '../../http/auth.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem } from '../../http/problems.js';
import { IdParams, ID_PATTERN, PageQuery, page, parseJson, principalOf } from '../../http/routes/common.js';
import { newId } from '../../ids.js';
import type { WorkflowModule } from '../module.js';
import { CHANNELS, ImportFileError, readRecords, type ChargeRow, type LineError, type ReminderRow } from './parse.js';

// Auto-renewal reminder audit (issue 14): an operator (or a regulator inspecting one) imports its
// renewal charges and its reminder logs (docs/renewal-audit.md), and the audit lists, per app and
// channel, the charges without a reminder at least 5 days before (26号文 Part 一(二)7, CLOCKS
// 'renewal-reminder': calendar days) and the reminders sent on channels that are not conspicuous.

const IMPORTERS: readonly Actor[] = ['developer', 'regulator', 'platform-admin'];

const access: Record<string, RouteAccess> = {
  'POST /api/v1/renewals/imports': { roles: IMPORTERS, scope: 'own-organisation' },
  'GET /api/v1/renewals/imports': { roles: IMPORTERS, scope: 'own-organisation' },
  'GET /api/v1/renewals/imports/:id': { roles: IMPORTERS, scope: 'own-organisation' },
  'DELETE /api/v1/renewals/imports/:id': { roles: IMPORTERS, scope: 'own-organisation' },
  'GET /api/v1/renewals/audit': { roles: IMPORTERS, scope: 'own-organisation' },
};

/** The reminder must come at least this many calendar days before the charge. */
export const REMINDER_DAYS = CLOCKS['renewal-reminder'].amount;
/** A reminder earlier than this many days before the charge is taken as the previous cycle's (a query parameter). */
export const DEFAULT_WINDOW_DAYS = 30;
const BATCH = 500;
const KEPT_ERRORS = 1000;

const MEDIA = {
  csv: ['text/csv'],
  jsonl: ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'],
};

function importView(r: Selectable<RenewalImportsTable>, errorsShown = 100) {
  const errors = (parseJson(r.errors) as LineError[] | null) ?? [];
  return {
    id: r.id,
    organisationId: r.org_id,
    kind: r.kind,
    format: r.format,
    state: r.state,
    encoding: r.encoding,
    bom: r.bom === 1,
    lines: Number(r.lines),
    imported: Number(r.imported),
    rejected: Number(r.rejected),
    errors: errors.slice(0, errorsShown),
    errorsShown: Math.min(errors.length, errorsShown),
    createdAt: r.created_at,
  };
}

/** The organisation whose data the caller reaches (the platform admin may name another). */
function orgOf(p: Principal, asked?: string): string {
  return p.role === 'platform-admin' && asked ? asked : p.orgId;
}

function routes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  // Imports arrive as the raw body (CSV or JSON Lines), read as a stream (the app's parser for these media types).
  void api.register(async (child) => {
    const typed = child as unknown as Api;
    typed.post(
      '/renewals/imports',
      {
        schema: {
          tags: ['renewals'],
          summary:
            'Import renewal charges or reminder logs (CSV or JSON Lines as the raw body, docs/renewal-audit.md): bad lines are reported by number, the rest imports',
          querystring: Type.Object(
            { kind: Type.Union([Type.Literal('charges'), Type.Literal('reminders')]) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const p = principalOf(request);
        const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
        const media = contentType.split(';')[0]!.trim();
        const format = MEDIA.csv.includes(media) ? 'csv' : MEDIA.jsonl.includes(media) ? 'jsonl' : null;
        const body = request.body as unknown;
        if (!format || !body || typeof (body as Readable)[Symbol.asyncIterator] !== 'function')
          throw problem(
            'unsupported-media-type',
            'send text/csv or application/x-ndjson (JSON Lines) / 请以 text/csv 或 application/x-ndjson 发送',
          );
        const charsetParam = /charset\s*=\s*"?([\w-]+)/.exec(contentType)?.[1];
        let charset: 'utf-8' | 'gb18030';
        if (!charsetParam || charsetParam === 'utf-8' || charsetParam === 'utf8') charset = 'utf-8';
        else if (['gb18030', 'gbk', 'gb2312'].includes(charsetParam)) charset = 'gb18030';
        else
          throw problem(
            'unsupported-media-type',
            `charset ${charsetParam} is not supported: UTF-8 or GB18030 / 不支持字符集 ${charsetParam}：请用 UTF-8 或 GB18030`,
          );
        const kind = request.query.kind;
        const org = p.orgId;
        const now = platform.clock.now();
        const id = newId(now);
        await db
          .insertInto('renewal_imports')
          .values({
            id,
            org_id: org,
            user_id: p.userId,
            kind,
            format,
            state: 'running',
            encoding: charset,
            bom: 0,
            lines: 0,
            imported: 0,
            rejected: 0,
            errors: '[]',
            created_at: now,
          })
          .execute();
        const errors: LineError[] = [];
        let rejected = 0;
        let imported = 0;
        let charges: Database['renewal_charges'][] = [];
        let reminders: Database['renewal_reminders'][] = [];
        const flush = async () => {
          if (charges.length) await db.insertInto('renewal_charges').values(charges).execute();
          if (reminders.length) await db.insertInto('renewal_reminders').values(reminders).execute();
          imported += charges.length + reminders.length;
          charges = [];
          reminders = [];
        };
        let result;
        try {
          result = await readRecords(
            body as AsyncIterable<Buffer>,
            { kind, format, charset, maxBytes: platform.config.maxUploadBytes },
            async (row, line) => {
              if (kind === 'charges') {
                const c = row as ChargeRow;
                charges.push({
                  import_id: id,
                  line,
                  org_id: org,
                  package_name: c.packageName,
                  subscription: c.subscription,
                  charge_day: c.day,
                  amount: c.amount,
                  product: c.product,
                });
              } else {
                const r = row as ReminderRow;
                reminders.push({
                  import_id: id,
                  line,
                  org_id: org,
                  package_name: r.packageName,
                  subscription: r.subscription,
                  sent_day: r.day,
                  channel: r.channel,
                  conspicuous: CHANNELS[r.channel].conspicuous ? 1 : 0,
                });
              }
              if (charges.length + reminders.length >= BATCH) await flush();
            },
            (error) => {
              rejected++;
              if (errors.length < KEPT_ERRORS) errors.push(error);
            },
          );
          await flush();
        } catch (error) {
          // The rows read so far stay (committed in batches); the import says it broke off.
          await db
            .updateTable('renewal_imports')
            .set({ state: 'failed', imported, rejected, errors: JSON.stringify(errors) })
            .where('id', '=', id)
            .execute();
          if (error instanceof ImportFileError) {
            // A file-level fault is the client's: drain nothing more, answer 400 (or 413 for size).
            reply.header('connection', 'close');
            const code = /larger than/.test(error.en) ? 'too-large' : 'bad-request';
            throw problem(code, `${error.en} / ${error.zh} (import ${id})`);
          }
          throw error;
        }
        // A file in which no line was UTF-8 is not a file with bad lines: say what it is.
        const encodingNote =
          result.notUtf8 > 0 && result.looksGb18030 === result.notUtf8
            ? 'lines that are not UTF-8 read as GB18030/GBK: resend with Content-Type charset=gb18030'
            : null;
        const done = now;
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('renewal_imports')
            .set({ state: 'done', bom: result.bom ? 1 : 0, lines: result.lines, imported, rejected, errors: JSON.stringify(errors) })
            .where('id', '=', id)
            .execute();
          await writeAudit(
            trx,
            {
              userId: p.userId,
              orgId: p.orgId,
              ip: request.ip,
              action: 'renewals.import',
              subject: id,
              detail: { kind, format, charset, lines: result.lines, imported, rejected },
            },
            done,
          );
        });
        const row = await db.selectFrom('renewal_imports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return reply.code(201).send({ ...importView(row), encodingNote });
      },
    );
  });

  api.get(
    '/renewals/imports',
    {
      schema: {
        tags: ['renewals'],
        summary: 'Imports of the organisation, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      let q = db.selectFrom('renewal_imports').selectAll();
      if (p.role !== 'platform-admin') q = q.where('org_id', '=', p.orgId);
      if (request.query.cursor) q = q.where('id', '<', request.query.cursor);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (r) => importView(r, 0));
    },
  );

  const findImport = async (id: string, p: Principal) => {
    let q = db.selectFrom('renewal_imports').selectAll().where('id', '=', id);
    if (p.role !== 'platform-admin') q = q.where('org_id', '=', p.orgId);
    const row = await q.executeTakeFirst();
    if (!row) throw problem('not-found', `no import ${id} / 没有导入 ${id}`);
    return row;
  };

  api.get(
    '/renewals/imports/:id',
    { schema: { tags: ['renewals'], summary: 'An import with its rejected lines (the first 1,000)', params: IdParams } },
    async (request) => importView(await findImport(request.params.id, principalOf(request)), KEPT_ERRORS),
  );

  api.delete(
    '/renewals/imports/:id',
    {
      schema: {
        tags: ['renewals'],
        summary: 'Remove an import and its rows (imports add up: re-importing a file counts its rows twice)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const row = await findImport(request.params.id, p);
      const now = platform.clock.now();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('renewal_charges').where('import_id', '=', row.id).execute();
        await trx.deleteFrom('renewal_reminders').where('import_id', '=', row.id).execute();
        await trx.deleteFrom('renewal_imports').where('id', '=', row.id).execute();
        await writeAudit(
          trx,
          {
            userId: p.userId,
            orgId: p.orgId,
            ip: request.ip,
            action: 'renewals.import.delete',
            subject: row.id,
            detail: { kind: row.kind },
          },
          now,
        );
      });
      return reply.code(204).send();
    },
  );

  api.get(
    '/renewals/audit',
    {
      schema: {
        tags: ['renewals'],
        summary: `Per app and channel: charges without a conspicuous reminder at least ${REMINDER_DAYS} days before, and reminders on non-conspicuous channels`,
        querystring: Type.Object(
          {
            package: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.]{1,255}$' })),
            windowDays: Type.Optional(Type.Integer({ minimum: REMINDER_DAYS, maximum: 366, default: DEFAULT_WINDOW_DAYS })),
            organisation: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'platform admin only: whose data' })),
            examples: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 20 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = orgOf(p, request.query.organisation);
      const window = request.query.windowDays ?? DEFAULT_WINDOW_DAYS;
      const pkg = request.query.package ?? null;
      const inWindow = (conspicuous: 0 | 1 | null) => sql`exists (select 1 from renewal_reminders r
          where r.org_id = c.org_id and r.package_name = c.package_name and r.subscription = c.subscription
            and r.sent_day between c.charge_day - ${window} and c.charge_day - ${REMINDER_DAYS}
            ${conspicuous === null ? sql`` : sql`and r.conspicuous = ${conspicuous}`})`;
      const late = sql`exists (select 1 from renewal_reminders r
          where r.org_id = c.org_id and r.package_name = c.package_name and r.subscription = c.subscription
            and r.sent_day between c.charge_day - ${REMINDER_DAYS - 1} and c.charge_day)`;
      // One class per charge: compliant, else the best that was done.
      const klass = sql<string>`case when ${inWindow(1)} then 'compliant'
          when ${inWindow(0)} then 'non-conspicuous-only'
          when ${late} then 'late'
          else 'no-reminder' end`;
      const pkgFilter = pkg === null ? sql`` : sql`and c.package_name = ${pkg}`;
      const perApp = await sql<{ package_name: string; klass: string; n: number | string }>`
        select package_name, klass, count(*) as n from (
          select c.package_name as package_name, ${klass} as klass from renewal_charges c
          where c.org_id = ${org} ${pkgFilter}
        ) t group by package_name, klass order by package_name`.execute(db);
      const perChannel = await sql<{ package_name: string; channel: string; conspicuous: number | string; reminders: number | string }>`
        select r.package_name, r.channel, max(r.conspicuous) as conspicuous, count(*) as reminders from renewal_reminders r
        where r.org_id = ${org} ${pkg === null ? sql`` : sql`and r.package_name = ${pkg}`}
        group by r.package_name, r.channel order by r.package_name, r.channel`.execute(db);
      const covered = await sql<{ package_name: string; channel: string; charges: number | string }>`
        select c.package_name, r.channel, count(distinct c.import_id || ':' || cast(c.line as text)) as charges
        from renewal_charges c join renewal_reminders r
          on r.org_id = c.org_id and r.package_name = c.package_name and r.subscription = c.subscription
         and r.sent_day between c.charge_day - ${window} and c.charge_day - ${REMINDER_DAYS}
        where c.org_id = ${org} ${pkgFilter}
        group by c.package_name, r.channel`.execute(db);
      const examplesWanted = request.query.examples ?? 20;
      const examples =
        examplesWanted === 0
          ? { rows: [] }
          : await sql<{
              package_name: string;
              subscription: string;
              charge_day: number | string;
              klass: string;
              import_id: string;
              line: number | string;
            }>`
        select * from (
          select c.package_name, c.subscription, c.charge_day, c.import_id, c.line, ${klass} as klass from renewal_charges c
          where c.org_id = ${org} ${pkgFilter}
        ) t where klass <> 'compliant' order by package_name, charge_day limit ${examplesWanted}`.execute(db);

      const apps = new Map<
        string,
        {
          packageName: string;
          charges: number;
          compliant: number;
          noReminder: number;
          late: number;
          nonConspicuousOnly: number;
          channels: unknown[];
        }
      >();
      const app = (name: string) => {
        let a = apps.get(name);
        if (!a)
          apps.set(
            name,
            (a = { packageName: name, charges: 0, compliant: 0, noReminder: 0, late: 0, nonConspicuousOnly: 0, channels: [] }),
          );
        return a;
      };
      for (const r of perApp.rows) {
        const a = app(r.package_name);
        const n = Number(r.n);
        a.charges += n;
        if (r.klass === 'compliant') a.compliant += n;
        else if (r.klass === 'no-reminder') a.noReminder += n;
        else if (r.klass === 'late') a.late += n;
        else a.nonConspicuousOnly += n;
      }
      const coveredBy = new Map(covered.rows.map((r) => [`${r.package_name}\u0000${r.channel}`, Number(r.charges)]));
      for (const r of perChannel.rows) {
        const a = app(r.package_name);
        const timely = coveredBy.get(`${r.package_name}\u0000${r.channel}`) ?? 0;
        a.channels.push({
          channel: r.channel,
          conspicuous: Number(r.conspicuous) === 1,
          reminders: Number(r.reminders),
          chargesRemindedInTime: timely,
          chargesWithoutReminderInTime: a.charges - timely,
        });
      }
      return {
        organisationId: org,
        rule: {
          reminderDaysBefore: REMINDER_DAYS,
          unit: 'calendar-days',
          windowDays: window,
          source: CLOCKS['renewal-reminder'].source,
          conspicuousChannels: Object.entries(CHANNELS)
            .filter(([, c]) => c.conspicuous)
            .map(([k]) => k),
        },
        apps: [...apps.values()].map((a) => ({
          ...a,
          compliantShare: a.charges ? Math.round((a.compliant / a.charges) * 10_000) / 10_000 : null,
        })),
        examples: examples.rows.map((e) => ({
          packageName: e.package_name,
          subscription: e.subscription,
          chargedOn: fromDayNumber(Number(e.charge_day)),
          latestReminderDate: fromDayNumber(Number(e.charge_day) - REMINDER_DAYS),
          finding: e.klass,
          importId: e.import_id,
          line: Number(e.line),
        })),
      };
    },
  );
}

export const renewalsWorkflow: WorkflowModule = {
  name: 'renewals',
  access,
  routes,
};
