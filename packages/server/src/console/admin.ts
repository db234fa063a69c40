import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AdminError, listApiTokens, listOrganisations, listUsers, revokeApiToken, searchAudit } from '../admin.js';
import { CalendarDataError, shippedCalendarYears } from '../calendar/calendar.js';
import { importCalendarYear, importedCalendarYears, loadCalendar } from '../calendar/store.js';
import { JOB_KINDS, JOB_STATES, ORG_KINDS, type JobState } from '../db/schema.js';
import type { Api, AppContext } from '../http/context.js';
import { ID_PATTERN } from '../http/routes/common.js';
import { jobStateCounts, listJobs, retryJob, workersSeen } from '../jobs/views.js';
import { csrfField, field, formToken, notFoundPage, sendPrivate } from './forms.js';
import { html } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';
import { errorList, formChecked, ROLE_NAMES, signedInFrame, stateName, textOf, time } from './frame.js';
import { tokenState, Cursor, IdParam, LangOnly, listTable, ListQuery, PAGE, pager, sendSigned, type Words, word } from './words.js';

// The platform admin's screens: users and their roles, organisations, every API token (revoke),
// the working-day calendar (coverage per year, import of a year), the queue (jobs in each state,
// dead jobs with their reasons, retry and cancel), the workers as their leases show them, and the
// audit log with filters. Each change goes through the function the REST API and the command line
// call (src/admin.ts, the calendar store, the queue).

const W = {
  users: { en: 'Users', zh: '用户' },
  organisations: { en: 'Organisations', zh: '组织' },
  tokens: { en: 'API tokens of every user', zh: '全部用户的 API 令牌' },
  calendar: { en: 'Working-day calendar', zh: '工作日历' },
  queue: { en: 'Queue and workers', zh: '任务队列与工作进程' },
  audit: { en: 'Audit log', zh: '审计日志' },
  login: { en: 'Login', zh: '登录名' },
  displayName: { en: 'Name', zh: '姓名' },
  memberships: { en: 'Organisation and role', zh: '组织及角色' },
  disabled: { en: 'disabled', zh: '已停用' },
  created: { en: 'Created', zh: '创建时间' },
  slug: { en: 'Slug', zh: '标识' },
  name: { en: 'Name', zh: '名称' },
  kind: { en: 'Kind', zh: '类型' },
  any: { en: 'Any', zh: '全部' },
  filter: { en: 'Filter', zh: '筛选' },
  prefix: { en: 'Prefix', zh: '前缀' },
  role: { en: 'Role', zh: '角色' },
  expires: { en: 'Expires', zh: '到期' },
  lastUsed: { en: 'Last used', zh: '最近使用' },
  none: { en: 'Nothing to show.', zh: '暂无记录。' },
  coveredThrough: { en: 'Deadlines are counted exactly through', zh: '时限可准确计算至' },
  coverageNote: {
    en: 'A deadline that runs past this day is marked provisional until the next year’s State Council arrangement is imported.',
    zh: '超出该日期的时限在导入下一年度国务院节假日安排前均标记为暂定。',
  },
  year: { en: 'Year', zh: '年份' },
  origin: { en: 'From', zh: '来源' },
  shipped: { en: 'shipped data file', zh: '随附数据文件' },
  imported: { en: 'imported', zh: '已导入' },
  holidays: { en: 'Holiday ranges', zh: '假期段数' },
  workdays: { en: 'Make-up workdays', zh: '调休上班日' },
  source: { en: 'Notice', zh: '通知' },
  importYear: { en: 'Import a year', zh: '导入年度安排' },
  importHint: {
    en: 'One year’s arrangement as JSON: {year, sources: [{title, document, date, url}], holidays: [{name, from, to}], workdays: [{date, for}]}. It replaces that year.',
    zh: '一年的安排（JSON）：{year, sources: [{title, document, date, url}], holidays: [{name, from, to}], workdays: [{date, for}]}，将替换该年份的数据。',
  },
  importButton: { en: 'Validate and import', zh: '校验并导入' },
  importedYear: { en: 'Imported; deadlines are now counted exactly through', zh: '已导入；时限现可准确计算至' },
  states: { en: 'Jobs by state', zh: '各状态任务数' },
  job: { en: 'Job', zh: '任务' },
  state: { en: 'State', zh: '状态' },
  organisation: { en: 'Organisation', zh: '组织' },
  attempts: { en: 'Attempts', zh: '尝试次数' },
  reason: { en: 'Reason', zh: '原因' },
  updated: { en: 'Updated', zh: '更新时间' },
  retry: { en: 'Retry', zh: '重试' },
  cancel: { en: 'Cancel', zh: '取消' },
  confirmCancel: { en: 'Cancel this job?', zh: '确定取消该任务？' },
  retried: { en: 'The job is queued again.', zh: '任务已重新排队。' },
  cancelOutcome: { en: 'Cancel:', zh: '取消结果：' },
  workers: { en: 'Workers seen in the last 24 hours', zh: '最近 24 小时内的工作进程' },
  workersNote: {
    en: 'A worker is known by the jobs it takes: its heartbeat is the last renewal of a lease it holds; an idle worker that took nothing in the window is not listed.',
    zh: '工作进程由其领取的任务得知：心跳为其所持租约的最近一次续期；时间窗内未领取任务的空闲进程不在此列。',
  },
  worker: { en: 'Worker', zh: '工作进程' },
  running: { en: 'Running', zh: '运行中' },
  heartbeat: { en: 'Last heartbeat', zh: '最近心跳' },
  leaseUntil: { en: 'Lease until', zh: '租约到期' },
  lastStarted: { en: 'Last attempt started', zh: '最近开始' },
  failures: { en: 'Attempts not succeeded', zh: '未成功的尝试' },
  action: { en: 'Action (or family: “store.”)', zh: '操作（或前缀，如“store.”）' },
  subject: { en: 'Subject', zh: '对象' },
  actor: { en: 'Actor (user id)', zh: '操作人（用户 ID）' },
  from: { en: 'From (date, Beijing time)', zh: '起（日期，北京时间）' },
  to: { en: 'Before (date, Beijing time)', zh: '止（日期，北京时间）' },
  at: { en: 'At', zh: '时间' },
  ip: { en: 'IP', zh: 'IP' },
  detail: { en: 'Detail', zh: '详情' },
  search: { en: 'Search', zh: '搜索' },
} as const satisfies Words;

const w = (lang: ConsoleLang, id: keyof typeof W) => word(W, lang, id);

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

/** The midnight of a Beijing date, in milliseconds (00:00 at UTC+8). */
function beijingMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}

export function consoleAdminRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;
  const page = { hide: true } as const;
  const config = { consolePage: true } as const;
  const actor = (request: FastifyRequest) => {
    const p = request.auth.principal!;
    return { userId: p.userId, orgId: p.orgId, ip: request.ip };
  };
  const send = sendSigned;

  // --- Users and organisations ------------------------------------------------------------------

  api.get('/console/admin/users', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const rows = await listUsers(db, { cursor: request.query.cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const body = html`<h1>${w(lang, 'users')}</h1>
      ${listTable(
        lang,
        [w(lang, 'login'), w(lang, 'displayName'), w(lang, 'memberships'), w(lang, 'created')],
        shown.map(
          (u) =>
            html`<tr>
              <td><code>${u.login}</code>${u.disabled ? html` <span class="tag">${w(lang, 'disabled')}</span>` : ''}</td>
              <td>${u.display_name}</td>
              <td>
                ${u.memberships.map(
                  (m) => html`<span class="tag">${m.slug} · ${lang === 'zh-CN' ? ROLE_NAMES[m.role].zh : ROLE_NAMES[m.role].en}</span> `,
                )}
              </td>
              <td>${time(u.created_at)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/admin/users', new URLSearchParams(), rows, PAGE)}`;
    return send(request, reply, w(lang, 'users'), body);
  });

  api.get(
    '/console/admin/organisations',
    {
      config,
      schema: {
        ...page,
        querystring: Type.Object(
          { ...LangOnly, cursor: Cursor, kind: Type.Optional(Type.Union(ORG_KINDS.map((k) => Type.Literal(k)))) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const lang = pickLang(request);
      const { kind, cursor } = request.query;
      const rows = await listOrganisations(db, { cursor, limit: PAGE }, kind);
      const shown = rows.slice(0, PAGE);
      const params = new URLSearchParams(kind ? { kind } : {});
      const body = html`<h1>${w(lang, 'organisations')}</h1>
        <nav class="filters" aria-label="${w(lang, 'kind')}">
          <a href="${withLang('/console/admin/organisations', lang)}" ${kind ? '' : html`aria-current="page"`}>${w(lang, 'any')}</a>
          ${ORG_KINDS.map(
            (k) =>
              html`<a href="${withLang(`/console/admin/organisations?kind=${k}`, lang)}" ${k === kind ? html`aria-current="page"` : ''}
                >${k}</a
              >`,
          )}
        </nav>
        ${listTable(
          lang,
          [w(lang, 'slug'), w(lang, 'name'), w(lang, 'kind'), w(lang, 'created')],
          shown.map(
            (o) =>
              html`<tr>
                <td><code>${o.slug}</code></td>
                <td>${o.name}</td>
                <td>${o.kind}</td>
                <td>${time(o.created_at)}</td>
              </tr>`,
          ),
        )}
        ${pager(lang, '/console/admin/organisations', params, rows, PAGE)}`;
      return send(request, reply, w(lang, 'organisations'), body);
    },
  );

  // --- Every API token ----------------------------------------------------------------------------

  api.get('/console/admin/tokens', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const rows = await listApiTokens(db, { cursor: request.query.cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const token = formToken(request, reply);
    const now = platform.clock.now();
    const body = html`<h1>${w(lang, 'tokens')}</h1>
      ${listTable(
        lang,
        [
          w(lang, 'prefix'),
          w(lang, 'name'),
          w(lang, 'login'),
          w(lang, 'role'),
          w(lang, 'created'),
          w(lang, 'expires'),
          w(lang, 'lastUsed'),
          w(lang, 'state'),
        ],
        shown.map(
          (t) =>
            html`<tr>
              <td><code>${t.prefix}…</code></td>
              <td>${t.name}</td>
              <td><code>${t.login}</code></td>
              <td>${lang === 'zh-CN' ? ROLE_NAMES[t.role].zh : ROLE_NAMES[t.role].en}</td>
              <td>${time(t.created_at)}</td>
              <td>${time(t.expires_at)}</td>
              <td>${time(t.last_used_at)}</td>
              <td>${tokenState(lang, t, now, token, `/console/admin/tokens/${t.id}/revoke`)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/admin/tokens', new URLSearchParams(), rows, PAGE)}`;
    return send(request, reply, w(lang, 'tokens'), body);
  });

  api.post('/console/admin/tokens/:id/revoke', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    if (!formChecked(request, reply, request.body)) return reply;
    try {
      await revokeApiToken(db, request.params.id, {}, actor(request));
    } catch (error) {
      if (error instanceof AdminError && error.code === 'not-found') return notFoundPage(request, reply);
      throw error;
    }
    return reply.redirect(withLang('/console/admin/tokens', pickLang(request)), 303);
  });

  // --- The working-day calendar -------------------------------------------------------------------

  const calendarPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    text: string,
    errors: { pointer: string; message: string }[],
    imported?: string,
  ) => {
    const lang = pickLang(request);
    const calendar = await loadCalendar(db);
    const stored = new Map(
      (await db.selectFrom('calendar_years').select(['year', 'imported_at']).execute()).map((r) => [r.year, r.imported_at]),
    );
    const shipped = new Set(shippedCalendarYears().map((y) => y.year));
    const overlay = new Map((await importedCalendarYears(db)).map((y) => [y.year, y]));
    const years = calendar.coveredYears();
    const body = html`<h1>${w(lang, 'calendar')}</h1>
      <p>
        ${w(lang, 'coveredThrough')} <strong><time datetime="${calendar.coveredThrough}">${calendar.coveredThrough}</time></strong>
      </p>
      <p class="muted">${w(lang, 'coverageNote')}</p>
      ${imported ? html`<p class="notice" role="status">${w(lang, 'importedYear')} ${imported}</p>` : ''}
      <table>
        <thead>
          <tr>
            <th scope="col">${w(lang, 'year')}</th>
            <th scope="col">${w(lang, 'origin')}</th>
            <th scope="col">${w(lang, 'holidays')}</th>
            <th scope="col">${w(lang, 'workdays')}</th>
            <th scope="col">${w(lang, 'source')}</th>
            <th scope="col">${w(lang, 'coveredThrough')}</th>
          </tr>
        </thead>
        <tbody>
          ${years.map((year) => {
            const y = overlay.get(year) ?? calendar.year(year)!;
            const at = stored.get(year);
            return html`<tr>
              <td>${year}</td>
              <td>
                ${at !== undefined ? html`${w(lang, 'imported')} ${time(at)}` : ''}
                ${shipped.has(year) ? html`<span class="tag">${w(lang, 'shipped')}</span>` : ''}
              </td>
              <td>${y.holidays.length}</td>
              <td>${y.workdays.length}</td>
              <td>${y.sources.map((s) => html`<span>${s.title}</span> `)}</td>
              <td>${year <= Number(calendar.coveredThrough.slice(0, 4)) ? `${year}-12-31` : ''}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      <h2>${w(lang, 'importYear')}</h2>
      <p class="muted">${w(lang, 'importHint')}</p>
      ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/admin/calendar', lang)}" class="stack">
        ${csrfField(formToken(request, reply))}
        <label
          >${w(lang, 'importYear')} (JSON)<textarea name="year" rows="14" class="code" spellcheck="false" maxlength="65536" required>
${text}</textarea>
        </label>
        <button type="submit">${w(lang, 'importButton')}</button>
      </form>`;
    return signedInFrame(request, reply, w(lang, 'calendar'), body);
  };

  api.get(
    '/console/admin/calendar',
    {
      config,
      schema: {
        ...page,
        querystring: Type.Object({ ...LangOnly, imported: Type.Optional(Type.String({ pattern: DATE })) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => sendPrivate(reply, await calendarPage(request, reply, '', [], request.query.imported), pickLang(request)),
  );

  api.post('/console/admin/calendar', { config, schema: page }, async (request, reply) => {
    const form = request.body;
    if (!formChecked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const text = field(form, 'year');
    try {
      const result = await importCalendarYear(db, text, actor(request), platform.clock.now());
      return reply.redirect(withLang(`/console/admin/calendar?imported=${result.coveredThrough}`, lang), 303);
    } catch (error) {
      if (!(error instanceof CalendarDataError)) throw error;
      return sendPrivate(reply, await calendarPage(request, reply, text, [{ pointer: error.field, message: error.message }]), lang, 400);
    }
  });

  // --- The queue and its workers ------------------------------------------------------------------

  const QueueQuery = Type.Object(
    {
      ...LangOnly,
      state: Type.Optional(Type.Union(JOB_STATES.map((s) => Type.Literal(s)))),
      kind: Type.Optional(Type.Union(JOB_KINDS.map((k) => Type.Literal(k)))),
      cursor: Cursor,
      done: Type.Optional(
        Type.Union([Type.Literal('retried'), Type.Literal('cancelled'), Type.Literal('requested'), Type.Literal('finished')]),
      ),
    },
    { additionalProperties: false },
  );

  api.get('/console/admin/queue', { config, schema: { ...page, querystring: QueueQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const state = (request.query.state ?? 'dead') as JobState;
    const { kind, cursor, done } = request.query;
    const now = platform.clock.now();
    const [counts, rows, workers] = await Promise.all([
      jobStateCounts(db, null),
      listJobs(db, { orgId: null, state, kind, cursor, limit: PAGE }),
      workersSeen(db, now),
    ]);
    const shown = rows.slice(0, PAGE);
    const orgs = new Map(
      shown.length
        ? (
            await db
              .selectFrom('organisations')
              .select(['id', 'slug'])
              .where('id', 'in', [...new Set(shown.map((j) => j.org_id))])
              .execute()
          ).map((o) => [o.id, o.slug])
        : [],
    );
    const token = formToken(request, reply);
    const params = new URLSearchParams({ state });
    if (kind) params.set('kind', kind);
    const retryable = state === 'dead' || state === 'failed' || state === 'cancelled';
    const cancellable = state === 'queued' || state === 'running';
    const body = html`<h1>${w(lang, 'queue')}</h1>
      ${
        done
          ? html`<p class="notice" role="status">${done === 'retried' ? w(lang, 'retried') : html`${w(lang, 'cancelOutcome')} ${done}`}</p>`
          : ''
      }
      <h2>${w(lang, 'states')}</h2>
      <nav class="filters" aria-label="${w(lang, 'state')}">
        ${JOB_STATES.map(
          (s) =>
            html`<a href="${withLang(`/console/admin/queue?state=${s}`, lang)}" ${s === state ? html`aria-current="page"` : ''}
              >${stateName(lang, s)} (${counts[s] ?? 0})</a
            >`,
        )}
      </nav>
      <h2>${stateName(lang, state)}</h2>
      ${
        shown.length === 0
          ? html`<p>${w(lang, 'none')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${w(lang, 'job')}</th>
                  <th scope="col">${w(lang, 'kind')}</th>
                  <th scope="col">${w(lang, 'organisation')}</th>
                  <th scope="col">${w(lang, 'attempts')}</th>
                  <th scope="col">${w(lang, 'reason')}</th>
                  <th scope="col">${w(lang, 'updated')}</th>
                  ${retryable || cancellable ? html`<th scope="col"><span class="visually-hidden">${w(lang, 'retry')}</span></th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${shown.map(
                  (j) =>
                    html`<tr>
                      <td><code>${j.id}</code></td>
                      <td>${j.kind}</td>
                      <td>${orgs.get(j.org_id) ?? j.org_id}</td>
                      <td>${j.attempts} / ${j.max_attempts}</td>
                      <td>${j.error_code ? html`<code>${j.error_code}</code> ` : ''}${j.error_message ?? ''}</td>
                      <td>${time(j.updated_at)}</td>
                      ${
                        retryable
                          ? html`<td>
                              <form method="post" action="${withLang(`/console/admin/jobs/${j.id}/retry`, lang)}" class="inline">
                                ${csrfField(token)}<button type="submit">${w(lang, 'retry')}</button>
                              </form>
                            </td>`
                          : cancellable
                            ? html`<td>
                                <form
                                  method="post"
                                  action="${withLang(`/console/admin/jobs/${j.id}/cancel`, lang)}"
                                  class="inline"
                                  data-confirm="${w(lang, 'confirmCancel')}"
                                >
                                  ${csrfField(token)}<button type="submit" class="danger">${w(lang, 'cancel')}</button>
                                </form>
                              </td>`
                            : ''
                      }
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${pager(lang, '/console/admin/queue', params, rows, PAGE)}
      <h2>${w(lang, 'workers')}</h2>
      <p class="muted">${w(lang, 'workersNote')}</p>
      ${listTable(
        lang,
        [
          w(lang, 'worker'),
          w(lang, 'running'),
          w(lang, 'heartbeat'),
          w(lang, 'leaseUntil'),
          w(lang, 'attempts'),
          w(lang, 'failures'),
          w(lang, 'lastStarted'),
        ],
        workers.map(
          (x) =>
            html`<tr>
              <td><code>${x.worker}</code></td>
              <td>${x.running}</td>
              <td>${time(x.lastHeartbeatAt)}</td>
              <td>${time(x.leaseUntil)}${x.leaseUntil !== null && x.leaseUntil < now ? html` <span class="tag">!</span>` : ''}</td>
              <td>${x.attempts}</td>
              <td>${x.failures}</td>
              <td>${time(x.lastStartedAt)}</td>
            </tr>`,
        ),
      )}`;
    return send(request, reply, w(lang, 'queue'), body);
  });

  const jobAction = async (request: FastifyRequest, reply: FastifyReply, id: string, kind: 'retry' | 'cancel') => {
    if (!formChecked(request, reply, request.body)) return reply;
    const lang = pickLang(request);
    const job = await db.selectFrom('jobs').select(['id', 'kind', 'state']).where('id', '=', id).executeTakeFirst();
    if (!job) return notFoundPage(request, reply);
    if (kind === 'retry') {
      // The queue's retry and the audit entry, as POST /api/v1/jobs/:id/retry.
      const outcome = await retryJob(db, platform.queue, id, actor(request));
      const back = outcome === 'queued' ? `state=queued&done=retried` : `state=${job.state}`;
      return reply.redirect(withLang(`/console/admin/queue?${back}`, lang), 303);
    }
    const outcome = await platform.queue.cancel(id);
    return reply.redirect(
      withLang(`/console/admin/queue?state=${job.state}&done=${outcome === 'not-found' ? 'finished' : outcome}`, lang),
      303,
    );
  };

  api.post('/console/admin/jobs/:id/retry', { config, schema: { ...page, params: IdParam } }, async (request, reply) =>
    jobAction(request, reply, request.params.id, 'retry'),
  );
  api.post('/console/admin/jobs/:id/cancel', { config, schema: { ...page, params: IdParam } }, async (request, reply) =>
    jobAction(request, reply, request.params.id, 'cancel'),
  );

  // --- The audit log --------------------------------------------------------------------------------

  const AuditQuery = Type.Object(
    {
      ...LangOnly,
      cursor: Cursor,
      action: Type.Optional(Type.String({ maxLength: 64 })),
      subject: Type.Optional(Type.String({ maxLength: 128 })),
      actor: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: ID_PATTERN })])),
      from: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: DATE })])),
      to: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: DATE })])),
    },
    { additionalProperties: false },
  );

  api.get('/console/admin/audit', { config, schema: { ...page, querystring: AuditQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const q = request.query;
    const action = q.action?.trim() || undefined;
    const subject = q.subject?.trim() || undefined;
    const rows = await searchAudit(
      db,
      { cursor: q.cursor, limit: PAGE },
      {
        action,
        subject,
        actorUserId: q.actor || undefined,
        from: q.from ? beijingMidnight(q.from) : undefined,
        to: q.to ? beijingMidnight(q.to) : undefined,
      },
    );
    const shown = rows.slice(0, PAGE);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ action, subject, actor: q.actor, from: q.from, to: q.to })) if (v) params.set(k, v);
    const body = html`<h1>${w(lang, 'audit')}</h1>
      <form class="filters" method="get" action="/console/admin/audit" role="search">
        <input type="hidden" name="lang" value="${lang}" />
        <label>${w(lang, 'action')}<input name="action" value="${action ?? ''}" maxlength="64" /></label>
        <label>${w(lang, 'subject')}<input name="subject" value="${subject ?? ''}" maxlength="128" /></label>
        <label>${w(lang, 'actor')}<input name="actor" value="${q.actor ?? ''}" maxlength="26" pattern="[0-9A-HJKMNP-TV-Z]{26}" /></label>
        <label>${w(lang, 'from')}<input name="from" type="date" value="${q.from ?? ''}" /></label>
        <label>${w(lang, 'to')}<input name="to" type="date" value="${q.to ?? ''}" /></label>
        <button type="submit">${w(lang, 'search')}</button>
      </form>
      ${listTable(
        lang,
        [w(lang, 'at'), w(lang, 'action'), w(lang, 'subject'), w(lang, 'actor'), w(lang, 'ip'), w(lang, 'detail')],
        shown.map(
          (a) =>
            html`<tr>
              <td>${time(a.at)}</td>
              <td><code>${a.action}</code></td>
              <td>${a.subject ? html`<code>${a.subject}</code>` : ''}</td>
              <td>${a.actor_user_id ? html`<code>${a.actor_user_id}</code>` : ''}</td>
              <td>${a.ip ?? ''}</td>
              <td><code class="detail">${textOf(safeJson(a.detail), lang)}</code></td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/admin/audit', params, rows, PAGE)}`;
    return send(request, reply, w(lang, 'audit'), body);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
