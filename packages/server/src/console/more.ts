import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { AdminError, createApiToken, listApiTokens, MAX_TOKEN_TTL_MS, revokeApiToken } from '../admin.js';
import type { Api, AppContext } from '../http/context.js';
import { ProblemError } from '../http/problems.js';
import { listNotifications } from '../workflows/notifications/index.js';
import { BulletinError, completeDelisting, listDelistingTasks } from '../workflows/regulator/bulletins.js';
import { developerCredit } from '../workflows/regulator/credit.js';
import { gateProblems, GatePolicySchema, type GatePolicy } from '../workflows/store/gate.js';
import { dryRunGate, DRY_RUN_LIMIT } from '../workflows/store/index.js';
import { listPatrols } from '../workflows/store/patrol.js';
import { consoleAdminRoutes } from './admin.js';
import { csrfField, field, formToken, notFoundPage, safeNext, sendPrivate } from './forms.js';
import { html } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';
import { errorList, formChecked, problemErrors, schemaErrors, signedInFrame, stateName, textOf, time } from './frame.js';
import { consoleVendorRoutes } from './vendor.js';
import { consoleVersionRoutes } from './versions.js';
import { tokenState, Cursor, IdParam, LangOnly, listTable, ListQuery, PAGE, pager, sendSigned, type Words, word } from './words.js';

// The console's further screens, registered beside pages.ts in the same context (they take its
// form parser): the language switch, everyone's API tokens, the developer's rectification
// deadlines, the store's gate dry run, patrol results, developer credit and delisting tasks, and
// (admin.ts, vendor.ts, versions.ts) the platform admin's and the SDK registry's screens and the
// developer's versions with their diff.

const W = {
  tokens: { en: 'API tokens', zh: 'API 令牌' },
  tokensIntro: {
    en: 'A token acts as you, in this organisation and role, for programs calling the REST API (Authorization: Bearer …). Its secret is shown once.',
    zh: '令牌以您在本组织中的身份和角色调用 REST 接口（Authorization: Bearer …），密钥仅显示一次。',
  },
  tokenName: { en: 'Name (what it is for)', zh: '名称（用途）' },
  tokenDays: { en: 'Valid for (days, 1–366)', zh: '有效期（天，1–366）' },
  create: { en: 'Create a token', zh: '创建令牌' },
  secretOnce: {
    en: 'Copy the token now: it is not stored and cannot be shown again.',
    zh: '请立即复制令牌：平台不保存明文，之后无法再次查看。',
  },
  prefix: { en: 'Prefix', zh: '前缀' },
  name: { en: 'Name', zh: '名称' },
  created: { en: 'Created', zh: '创建时间' },
  expires: { en: 'Expires', zh: '到期' },
  lastUsed: { en: 'Last used', zh: '最近使用' },
  state: { en: 'State', zh: '状态' },
  none: { en: 'Nothing to show.', zh: '暂无记录。' },
  deadlines: { en: 'Rectification deadlines', zh: '整改期限' },
  deadlinesIntro: {
    en: 'Notices to your organisation that carry a deadline: new findings of a store patrol, bulletins, complaints to answer.',
    zh: '发给本组织且带有期限的通知：商店巡检发现的新问题、通报、待答复的投诉等。',
  },
  notice: { en: 'Notice', zh: '通知' },
  due: { en: 'Due (end of day, Beijing time)', zh: '期限（北京时间当日结束）' },
  overdue: { en: 'overdue', zh: '已逾期' },
  open: { en: 'open', zh: '未到期' },
  dryRun: { en: 'Dry run of a gate policy', zh: '门禁策略试运行' },
  dryRunIntro: {
    en: `What this policy would decide for the store’s latest ${DRY_RUN_LIMIT} detected submissions (their stored reports, the listings as they are now), beside what was decided. Nothing is saved or changed.`,
    zh: `该策略对本商店最近 ${DRY_RUN_LIMIT} 个已检测申请（基于已存报告及当前上架情况）会作出的决定，并与当时的决定对照。不保存、不更改任何数据。`,
  },
  dryRunAgain: { en: 'Dry run', zh: '试运行' },
  wouldPass: { en: 'would pass', zh: '将通过' },
  wouldReject: { en: 'would reject', zh: '将驳回' },
  wouldReview: { en: 'would go to manual review', zh: '将转人工审核' },
  changed: { en: 'changed', zh: '有变化' },
  submission: { en: 'Submission', zh: '申请' },
  recorded: { en: 'Decided then', zh: '当时结果' },
  would: { en: 'Under this policy', zh: '按此策略' },
  reasons: { en: 'Reasons', zh: '原因' },
  backToGate: { en: 'Back to the gate policy', zh: '返回门禁策略' },
  patrols: { en: 'Patrol results', zh: '巡检结果' },
  patrolsIntro: {
    en: 'When the rule catalogue changes, listed apps are checked again on their stored facts; new findings go to the developer with a deadline.',
    zh: '规则目录更新后，平台基于已存检测数据对在架应用重新判定；新发现的问题连同整改期限发送给开发者。',
  },
  packageName: { en: 'Package', zh: '包名' },
  catalogue: { en: 'Rule catalogue', zh: '规则目录' },
  newFindings: { en: 'New findings', zh: '新问题' },
  report: { en: 'Report', zh: '报告' },
  credit: { en: 'Developer credit', zh: '开发者信用' },
  score: { en: 'Score', zh: '分数' },
  level: { en: 'Level', zh: '等级' },
  input: { en: 'Input', zh: '因素' },
  value: { en: 'Value', zh: '数值' },
  weight: { en: 'Weight', zh: '权重' },
  cap: { en: 'Cap', zh: '上限' },
  deduction: { en: 'Deduction', zh: '扣分' },
  source: { en: 'Source', zh: '来源' },
  riskPrompt: { en: 'Risk prompt shown to the public', zh: '向公众展示的风险提示' },
  noPrompt: { en: 'No risk prompt.', zh: '无风险提示。' },
  delisting: { en: 'Delisting tasks', zh: '下架任务' },
  delistingIntro: {
    en: 'Removal orders of the regulator naming apps listed in this store. Marking a task done delists the app.',
    zh: '监管部门下发的、涉及本商店在架应用的下架指令。标记完成即将该应用下架。',
  },
  legalBasis: { en: 'Legal basis', zh: '法律依据' },
  received: { en: 'Received', zh: '接收时间' },
  done: { en: 'Done', zh: '已完成' },
  markDone: { en: 'Delisted: mark done', zh: '已下架：标记完成' },
  confirmDone: { en: 'Delist this app from the store now?', zh: '确定立即从本商店下架该应用？' },
} as const satisfies Words;

const w = (lang: ConsoleLang, id: keyof typeof W) => word(W, lang, id);

const gateValidator = Compile(GatePolicySchema);

/** The language cookie: a year, the whole site, readable by the server only. */
const LANG_COOKIE = 'ar_lang';

export function consoleExtraRoutes(api: Api, ctx: AppContext): void {
  const { platform } = ctx;
  const db = platform.store.db;
  const page = { hide: true } as const;
  const config = { consolePage: true } as const;
  const principal = (request: FastifyRequest) => request.auth.principal!;
  const send = sendSigned;

  // --- The language switch: remembered in a cookie, then back to the page ---------------------------

  api.get(
    '/console/lang',
    {
      config,
      schema: {
        ...page,
        querystring: Type.Object(
          { lang: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]), next: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { lang, next } = request.query;
      reply.setCookie(LANG_COOKIE, lang, {
        path: '/',
        maxAge: 366 * 24 * 3600,
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
      });
      return reply.header('cache-control', 'no-store').redirect(withLang(safeNext(next) ?? '/apps', lang), 303);
    },
  );

  // --- Everyone's own API tokens --------------------------------------------------------------------

  const tokensPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    cursor: string | undefined,
    created: { token: string; name: string } | undefined,
    errors: { pointer: string; message: string }[],
    values: { name: string; days: string } = { name: '', days: '90' },
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    const rows = await listApiTokens(db, { cursor, limit: PAGE }, p.userId);
    const shown = rows.slice(0, PAGE);
    const token = formToken(request, reply);
    const now = platform.clock.now();
    const body = html`<h1>${w(lang, 'tokens')}</h1>
      <p class="muted">${w(lang, 'tokensIntro')}</p>
      ${
        created
          ? html`<div class="notice" role="status">
              <p><strong>${created.name}</strong>: ${w(lang, 'secretOnce')}</p>
              <p><code class="secret">${created.token}</code></p>
            </div>`
          : ''
      }
      ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/tokens', lang)}" class="stack">
        ${csrfField(token)}
        <label>${w(lang, 'tokenName')}<input name="name" required maxlength="100" value="${values.name}" /></label>
        <label>${w(lang, 'tokenDays')}<input name="days" type="number" min="1" max="366" required value="${values.days}" /></label>
        <button type="submit">${w(lang, 'create')}</button>
      </form>
      ${listTable(
        lang,
        [w(lang, 'prefix'), w(lang, 'name'), w(lang, 'created'), w(lang, 'expires'), w(lang, 'lastUsed'), w(lang, 'state')],
        shown.map(
          (t) =>
            html`<tr>
              <td><code>${t.prefix}…</code></td>
              <td>${t.name}</td>
              <td>${time(t.created_at)}</td>
              <td>${time(t.expires_at)}</td>
              <td>${time(t.last_used_at)}</td>
              <td>${tokenState(lang, t, now, token, `/console/tokens/${t.id}/revoke`)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/tokens', new URLSearchParams(), rows, PAGE)}`;
    return signedInFrame(request, reply, w(lang, 'tokens'), body);
  };

  api.get('/console/tokens', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) =>
    sendPrivate(reply, await tokensPage(request, reply, request.query.cursor, undefined, []), pickLang(request)),
  );

  api.post('/console/tokens', { config, schema: page }, async (request, reply) => {
    const form = request.body;
    if (!formChecked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const p = principal(request);
    const values = { name: field(form, 'name').trim().slice(0, 100), days: field(form, 'days').trim().slice(0, 4) };
    const days = Number(values.days);
    if (!/^\d{1,3}$/.test(values.days) || days < 1 || days * 24 * 3600_000 > MAX_TOKEN_TTL_MS) {
      const errors = [{ pointer: '/days', message: 'a whole number of days from 1 to 366 / 1 至 366 的整数天' }];
      return sendPrivate(reply, await tokensPage(request, reply, undefined, undefined, errors, values), lang, 400);
    }
    try {
      // The same function as POST /api/v1/tokens: the caller's organisation and role, audited.
      const { token, record } = await createApiToken(
        db,
        { userId: p.userId, orgId: p.orgId, name: values.name, ttlMs: days * 24 * 3600_000 },
        { userId: p.userId, orgId: p.orgId, ip: request.ip },
      );
      // The secret goes in this answer only (no redirect: a reload must not show it from a URL).
      return sendPrivate(reply, await tokensPage(request, reply, undefined, { token, name: record.name }, []), lang, 201);
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      const errors = [{ pointer: '/name', message: error.message }];
      return sendPrivate(reply, await tokensPage(request, reply, undefined, undefined, errors, values), lang, 400);
    }
  });

  api.post('/console/tokens/:id/revoke', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    if (!formChecked(request, reply, request.body)) return reply;
    const p = principal(request);
    try {
      // As DELETE /api/v1/tokens/:id: one's own tokens only (another user's is not found).
      await revokeApiToken(db, request.params.id, { ownerId: p.userId }, { userId: p.userId, orgId: p.orgId, ip: request.ip });
    } catch (error) {
      if (error instanceof AdminError && error.code === 'not-found') return notFoundPage(request, reply);
      throw error;
    }
    return reply.redirect(withLang('/console/tokens', pickLang(request)), 303);
  });

  // --- The developer's rectification deadlines --------------------------------------------------------

  api.get('/console/developer/deadlines', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const rows = await listNotifications(db, principal(request).orgId, { due: true, cursor: request.query.cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const now = platform.clock.now();
    const body = html`<h1>${w(lang, 'deadlines')}</h1>
      <p class="muted">${w(lang, 'deadlinesIntro')}</p>
      ${listTable(
        lang,
        [w(lang, 'notice'), w(lang, 'due'), w(lang, 'state'), w(lang, 'created')],
        shown.map(
          (n) =>
            html`<tr>
              <td>${lang === 'zh-CN' ? n.title_zh : n.title_en}</td>
              <td>${time(n.due_at)}</td>
              <td>
                ${
                  n.due_at !== null && n.due_at < now
                    ? html`<span class="state state-rejected">${w(lang, 'overdue')}</span>`
                    : w(lang, 'open')
                }
              </td>
              <td>${time(n.created_at)}</td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/developer/deadlines', new URLSearchParams(), rows, PAGE)}`;
    return send(request, reply, w(lang, 'deadlines'), body);
  });

  // --- The store: the gate policy's dry run -------------------------------------------------------------

  api.post('/console/store/gate/dry-run', { config, schema: page }, async (request, reply) => {
    const form = request.body;
    if (!formChecked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const text = field(form, 'policy');
    let errors: { pointer: string; message: string }[] = [];
    let policy: unknown;
    try {
      policy = JSON.parse(text);
    } catch (error) {
      errors = [{ pointer: '', message: `not JSON: ${(error as Error).message} / 不是有效的 JSON` }];
    }
    // The editor's checks (shape, then what a shape cannot say), then the store's own dry run.
    if (errors.length === 0) errors = schemaErrors(gateValidator, policy);
    if (errors.length === 0) errors = gateProblems(policy as GatePolicy).slice(0, 20);
    let items: Awaited<ReturnType<typeof dryRunGate>> = [];
    if (errors.length === 0)
      try {
        items = await dryRunGate(platform, principal(request), policy as GatePolicy);
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        errors = problemErrors(error);
      }
    const tally = { pass: 0, reject: 0, 'manual-review': 0 };
    for (const item of items) tally[item.would]++;
    const changed = items.filter((i) => i.recorded !== i.would).length;
    const body = html`<h1>${w(lang, 'dryRun')}</h1>
      <p class="muted">${w(lang, 'dryRunIntro')}</p>
      ${errorList(lang, errors)}
      ${
        errors.length === 0
          ? html`<p class="summary">
                <span class="tag">${w(lang, 'wouldPass')}: ${tally.pass}</span>
                <span class="tag">${w(lang, 'wouldReject')}: ${tally.reject}</span>
                <span class="tag">${w(lang, 'wouldReview')}: ${tally['manual-review']}</span>
                <span class="tag">${w(lang, 'changed')}: ${changed}</span>
              </p>
              ${listTable(
                lang,
                [w(lang, 'submission'), w(lang, 'created'), w(lang, 'recorded'), w(lang, 'would'), w(lang, 'reasons')],
                items.map(
                  (i) =>
                    html`<tr ${i.recorded !== i.would ? html`class="changed"` : ''}>
                      <td><a href="${withLang(`/console/submissions/${i.id}`, lang)}">${i.name ?? i.id}</a></td>
                      <td>${time(i.createdAt)}</td>
                      <td>${stateName(lang, i.recorded)}</td>
                      <td><strong>${stateName(lang, i.would)}</strong></td>
                      <td>
                        ${i.reasons
                          .slice(0, 5)
                          .map(
                            (r) =>
                              html`<span class="tag"
                                >${r.gateRule}:
                                ${r.finding ? r.finding.ruleId : textOf(r.diff ? { en: r.diff.en, zh: r.diff.zh } : '', lang)}</span
                              > `,
                          )}
                      </td>
                    </tr>`,
                ),
              )}`
          : ''
      }
      <form method="post" action="${withLang('/console/store/gate/dry-run', lang)}" class="stack">
        ${csrfField(formToken(request, reply))}
        <label
          >${w(lang, 'dryRun')} (JSON)<textarea name="policy" rows="16" class="code" spellcheck="false" maxlength="100000">
${text}</textarea>
        </label>
        <button type="submit">${w(lang, 'dryRunAgain')}</button>
      </form>
      <p><a href="${withLang('/console/store/gate', lang)}">${w(lang, 'backToGate')}</a></p>`;
    return send(request, reply, w(lang, 'dryRun'), body, errors.length ? 400 : 200);
  });

  // --- The store: patrol results and developer credit ---------------------------------------------------

  api.get('/console/store/patrols', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const rows = await listPatrols(db, principal(request).orgId, { cursor: request.query.cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const body = html`<h1>${w(lang, 'patrols')}</h1>
      <p class="muted">${w(lang, 'patrolsIntro')}</p>
      ${listTable(
        lang,
        [w(lang, 'packageName'), w(lang, 'catalogue'), w(lang, 'state'), w(lang, 'newFindings'), w(lang, 'created'), w(lang, 'credit')],
        shown.map(
          (r) =>
            html`<tr>
              <td><code>${r.package_name}</code></td>
              <td><code>${r.knowledge_to.slice(0, 16)}</code></td>
              <td>${stateName(lang, r.state === 'done' ? 'succeeded' : r.state)}</td>
              <td>${r.new_findings ?? ''}</td>
              <td>${time(r.created_at)}</td>
              <td><a href="${withLang(`/console/store/credit/${r.developer_org_id}`, lang)}">${w(lang, 'credit')}</a></td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/store/patrols', new URLSearchParams(), rows, PAGE)}`;
    return send(request, reply, w(lang, 'patrols'), body);
  });

  api.get(
    '/console/store/credit/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const org = await db
        .selectFrom('organisations')
        .select(['id', 'name', 'kind'])
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!org || org.kind !== 'developer') return notFoundPage(request, reply);
      // As GET /api/v1/credit/:id: the documented formula with every input shown.
      const credit = await developerCredit(db, org.id, platform.clock.now());
      const body = html`<h1>${w(lang, 'credit')}: ${org.name}</h1>
        <p>
          ${w(lang, 'score')}: <strong>${credit.score}</strong> · ${w(lang, 'level')}: <strong>${credit.level}</strong> ·
          <code>${credit.formula}</code>
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">${w(lang, 'input')}</th>
              <th scope="col">${w(lang, 'value')}</th>
              <th scope="col">${w(lang, 'weight')}</th>
              <th scope="col">${w(lang, 'cap')}</th>
              <th scope="col">${w(lang, 'deduction')}</th>
              <th scope="col">${w(lang, 'source')}</th>
            </tr>
          </thead>
          <tbody>
            ${credit.inputs.map(
              (i) =>
                html`<tr>
                  <td><code>${i.name}</code></td>
                  <td>${i.available ? i.value : '—'}</td>
                  <td>${i.weight}</td>
                  <td>${i.cap}</td>
                  <td>${i.deduction}</td>
                  <td>${i.source}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <h2>${w(lang, 'riskPrompt')}</h2>
        <p>${credit.prompt ? textOf(credit.prompt, lang) : w(lang, 'noPrompt')}</p>`;
      return send(request, reply, w(lang, 'credit'), body);
    },
  );

  // --- The store: delisting tasks of removal orders ------------------------------------------------------

  const DelistingQuery = Type.Object(
    { ...LangOnly, cursor: Cursor, state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')])) },
    { additionalProperties: false },
  );

  const delistingPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: 'open' | 'done',
    cursor: string | undefined,
    errors: { pointer: string; message: string }[],
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    const rows = await listDelistingTasks(db, p.orgId, { state, cursor, limit: PAGE });
    const shown = rows.slice(0, PAGE);
    const admin = p.role === 'store-admin';
    const token = formToken(request, reply);
    const body = html`<h1>${w(lang, 'delisting')}</h1>
      <p class="muted">${w(lang, 'delistingIntro')}</p>
      <nav class="filters" aria-label="${w(lang, 'state')}">
        <a href="${withLang('/console/store/delisting?state=open', lang)}" ${state === 'open' ? html`aria-current="page"` : ''}
          >${w(lang, 'open')}</a
        >
        <a href="${withLang('/console/store/delisting?state=done', lang)}" ${state === 'done' ? html`aria-current="page"` : ''}
          >${w(lang, 'done')}</a
        >
      </nav>
      ${errorList(lang, errors)}
      ${listTable(
        lang,
        [w(lang, 'packageName'), w(lang, 'legalBasis'), w(lang, 'received'), w(lang, 'state')],
        shown.map(
          (t) =>
            html`<tr>
              <td><code>${t.package_name}</code></td>
              <td>${t.legal_basis}</td>
              <td>${time(t.created_at)}</td>
              <td>
                ${
                  t.state === 'done'
                    ? html`${w(lang, 'done')} ${time(t.done_at)}`
                    : admin
                      ? html`<form
                          method="post"
                          action="${withLang(`/console/store/delisting/${t.id}/done`, lang)}"
                          class="inline"
                          data-confirm="${w(lang, 'confirmDone')}"
                        >
                          ${csrfField(token)}<button type="submit" class="danger">${w(lang, 'markDone')}</button>
                        </form>`
                      : w(lang, 'open')
                }
              </td>
            </tr>`,
        ),
      )}
      ${pager(lang, '/console/store/delisting', new URLSearchParams({ state }), rows, PAGE)}`;
    return signedInFrame(request, reply, w(lang, 'delisting'), body);
  };

  api.get('/console/store/delisting', { config, schema: { ...page, querystring: DelistingQuery } }, async (request, reply) =>
    sendPrivate(reply, await delistingPage(request, reply, request.query.state ?? 'open', request.query.cursor, []), pickLang(request)),
  );

  api.post('/console/store/delisting/:id/done', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    if (!formChecked(request, reply, request.body)) return reply;
    const lang = pickLang(request);
    const p = principal(request);
    try {
      // As POST /api/v1/delisting-tasks/:id/done: the store's own task; the listing is delisted with it.
      await completeDelisting(db, request.params.id, p.orgId, { userId: p.userId, orgId: p.orgId, ip: request.ip }, platform.clock.now());
    } catch (error) {
      if (!(error instanceof BulletinError)) throw error;
      if (error.code === 'not-found') return notFoundPage(request, reply);
      const errors = [{ pointer: '', message: `${error.en} / ${error.zh}` }];
      return sendPrivate(reply, await delistingPage(request, reply, 'open', undefined, errors), lang, 409);
    }
    return reply.redirect(withLang('/console/store/delisting?state=done', lang), 303);
  });

  consoleAdminRoutes(api, ctx);
  consoleVendorRoutes(api, ctx);
  consoleVersionRoutes(api, ctx);
}
