import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadKnowledge } from '@apprights/knowledge';
import { renderScanReport, type Lang } from '@apprights/report';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { writeAudit } from '../admin.js';
import { BlobTooLargeError } from '../blobs/store.js';
import { EVERYONE, SIGNED_IN, type RouteAccess } from '../http/access.js';
import { clearSessionCookie, setSessionCookie, SESSION_COOKIE, type Principal } from '../http/auth.js';
import type { Api, AppContext } from '../http/context.js';
import { PROBLEMS, ProblemError } from '../http/problems.js';
import { ID_PATTERN } from '../http/routes/common.js';
import { isMultipart, multipartFile } from '../http/multipart/reader.js';
import { storePackage } from '../http/routes/packages.js';
import { logIn } from '../http/routes/sessions.js';
import {
  claimSubmission,
  createSubmission,
  decideDeveloper,
  decideSubmission,
  gatePolicy,
  ProfileBody,
  saveDeveloperProfile,
  saveGatePolicy,
  scopedSubmissions,
  SubmissionBody,
  type ProfileInput,
  type SubmissionInput,
} from '../workflows/store/index.js';
import { gateProblems, GatePolicySchema, type GatePolicy, type GateReason } from '../workflows/store/gate.js';
import {
  csrfField,
  csrfMatches,
  csrfRefused,
  CSRF_FIELD,
  field,
  fields,
  formToken,
  LOGIN_CSRF_COOKIE,
  notFoundPage,
  parseForm,
  safeNext,
  sendPrivate,
} from './forms.js';
import { html, trustedHtml, type SafeHtml } from './html.js';
import { pickLang, type ConsoleLang } from './i18n.js';
import { layout, withLang } from './layout.js';
import { storeChoices } from './routes.js';
import { CONSOLE_EXTRA_ACCESS } from './extra-access.js';
import {
  errorList,
  formChecked,
  links,
  NAV_WORDS,
  problemErrors,
  ROLE_NAMES,
  schemaErrors,
  signedInFrame,
  stateName,
  textOf,
  time,
} from './frame.js';
import { complaintScreens } from './complaints.js';
import { providerScreens } from './provider.js';
import { publicWorkflowPages } from './public-workflows.js';
import { regulatorScreens } from './regulator.js';

// The signed-in console: sign-in and sign-out, the developer's screens (identity, upload with the
// listing, submission progress, report, rejection reasons, resubmission) and the store's (review
// queue, claim, decision with reasons, gate policy editor). Every form posts to its own page with the
// CSRF token in a hidden field; every change goes through the same functions as the REST API.
// Screens of the regulator, complaints, renewals and terminal workflows come with those workflows.

const DEVELOPER: RouteAccess['roles'] = ['developer'];
const STORE_STAFF: RouteAccess['roles'] = ['store-admin', 'store-reviewer'];
const SUBMISSION_PAGES: RouteAccess['roles'] = ['developer', 'store-admin', 'store-reviewer'];

export const CONSOLE_APP_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /console/login': { roles: EVERYONE, scope: 'public' },
  'POST /console/login': { roles: EVERYONE, scope: 'public' },
  'POST /console/logout': { roles: SIGNED_IN, scope: 'self' },
  'GET /console': { roles: SIGNED_IN, scope: 'self' },
  'GET /console/developer/identity': { roles: DEVELOPER, scope: 'own-organisation' },
  'POST /console/developer/identity': { roles: DEVELOPER, scope: 'own-organisation' },
  'GET /console/developer/submit': { roles: DEVELOPER, scope: 'own-organisation' },
  'POST /console/developer/submit': { roles: DEVELOPER, scope: 'own-organisation' },
  'GET /console/submissions': { roles: SUBMISSION_PAGES, scope: 'own-organisation' },
  'GET /console/submissions/:id': { roles: SUBMISSION_PAGES, scope: 'own-organisation' },
  'GET /console/submissions/:id/progress': { roles: SUBMISSION_PAGES, scope: 'own-organisation' },
  'POST /console/submissions/:id/claim': { roles: ['store-reviewer'], scope: 'own-organisation' },
  'POST /console/submissions/:id/decision': { roles: ['store-reviewer'], scope: 'own-organisation' },
  'GET /console/reports/:id': { roles: SUBMISSION_PAGES, scope: 'own-organisation' },
  'GET /console/reports/:id/frame': { roles: SUBMISSION_PAGES, scope: 'own-organisation' },
  'GET /console/store/gate': { roles: STORE_STAFF, scope: 'own-organisation' },
  'GET /console/store/developers': { roles: STORE_STAFF, scope: 'own-organisation' },
  'POST /console/store/developers/:id/decision': { roles: ['store-admin'], scope: 'own-organisation' },
  'POST /console/store/gate': { roles: ['store-admin'], scope: 'own-organisation' },
  ...CONSOLE_EXTRA_ACCESS,
};

/** Words of the signed-in pages, in both languages. */
const M = {
  ...NAV_WORDS,
  signIn: { en: 'Sign in', zh: '登录' },
  login: { en: 'Login', zh: '用户名' },
  password: { en: 'Password', zh: '密码' },
  organisationOptional: { en: 'Organisation (optional: slug)', zh: '组织（可选，标识）' },
  expired: { en: 'Your session has ended. Sign in to continue where you were.', zh: '会话已结束，请重新登录后继续。' },
  otherRole: {
    en: 'This page is for another role. Sign in with an account that has it.',
    zh: '此页面属于其他角色，请使用具有该角色的账号登录。',
  },
  homeIntro: { en: 'Signed in as', zh: '当前登录' },
  notYet: {
    en: 'The console screens for this role come with their workflows; meanwhile use the REST API (see the API link).',
    zh: '该角色的控制台页面将随相应流程提供；在此之前请使用 REST 接口（见“接口”链接）。',
  },
  identityIntro: {
    en: 'Who your organisation is. A store administrator verifies it before you can submit apps; a change is verified again.',
    zh: '请填写本组织的主体信息。应用商店管理员认证后方可提交应用；修改后需重新认证。',
  },
  enterpriseName: { en: 'Enterprise name', zh: '企业名称' },
  creditCode: { en: 'Unified social credit code (18 characters)', zh: '统一社会信用代码（18 位）' },
  filingNumber: { en: 'APP filing number (optional)', zh: 'APP 备案号（可选）' },
  contactName: { en: 'Contact name', zh: '联系人' },
  contactPhone: { en: 'Contact phone (optional)', zh: '联系电话（可选）' },
  contactEmail: { en: 'Contact e-mail (optional)', zh: '联系邮箱（可选）' },
  save: { en: 'Save', zh: '保存' },
  saved: { en: 'Saved.', zh: '已保存。' },
  state: { en: 'State', zh: '状态' },
  submitIntro: {
    en: 'The package and its listing (the six elements). Detection runs at once; the store’s gate decides.',
    zh: '上传安装包并填写上架信息（六要素）。提交后立即检测，由商店门禁策略决定结果。',
  },
  resubmitting: { en: 'This submission answers the rejected one', zh: '本次提交答复被驳回的申请' },
  file: { en: 'Package (APK)', zh: '安装包（APK）' },
  appName: { en: 'App name', zh: '应用名称' },
  appVersion: { en: 'Version (versionName)', zh: '版本号（versionName）' },
  developerName: { en: 'Developer', zh: '开发者名称' },
  policyUrl: { en: 'Privacy policy URL', zh: '隐私政策网址' },
  permissionsField: {
    en: 'Permissions and purposes (one a line: permission: purpose)',
    zh: '权限及用途（每行一项：权限: 用途）',
  },
  functions: { en: 'Function description', zh: '功能介绍' },
  store: { en: 'Store', zh: '应用商店' },
  appType: { en: 'App type', zh: '应用类型' },
  send: { en: 'Submit', zh: '提交' },
  noSubmissions: { en: 'No submission.', zh: '暂无申请。' },
  created: { en: 'Submitted', zh: '提交时间' },
  progress: { en: 'Progress', zh: '进度' },
  refresh: { en: 'Refresh', zh: '刷新' },
  job: { en: 'Job', zh: '任务' },
  outcome: { en: 'Gate outcome', zh: '门禁结果' },
  reasons: { en: 'Reasons', zh: '原因' },
  noReasons: { en: 'No reason recorded.', zh: '无记录的原因。' },
  gateRule: { en: 'Gate rule', zh: '门禁规则' },
  finding: { en: 'Finding or difference', zh: '问题或差异' },
  evidence: { en: 'Detail', zh: '详情' },
  reviewerComment: { en: 'Reviewer’s comment', zh: '审核意见' },
  report: { en: 'Detection report', zh: '检测报告' },
  openReport: { en: 'Read the detection report', zh: '查看检测报告' },
  resubmit: { en: 'Fix and resubmit', zh: '整改后重新提交' },
  claim: { en: 'Claim for review', zh: '认领审核' },
  claimedBy: { en: 'Claimed by', zh: '认领人' },
  decide: { en: 'Decision', zh: '审核决定' },
  linkFindings: { en: 'Findings this decision rests on', zh: '作为决定依据的问题' },
  cite: { en: 'Cite', zh: '依据' },
  verify: { en: 'Verify', zh: '认证通过' },
  rejectIdentity: { en: 'Reject', zh: '不予认证' },
  contact: { en: 'Contact', zh: '联系人' },
  updated: { en: 'Updated', zh: '更新时间' },
  noDevelopers: { en: 'No developer identity in this state.', zh: '没有该状态的开发者身份。' },
  optionalComment: { en: 'Comment (optional)', zh: '说明（可选）' },
  linkHint: {
    en: 'Tick the findings this decision rests on in the table of reasons above.',
    zh: '请在上方原因表中勾选作为决定依据的问题。',
  },
  comment: { en: 'Comment (shown to the developer)', zh: '审核意见（开发者可见）' },
  pass: { en: 'Pass and list', zh: '通过并上架' },
  reject: { en: 'Reject', zh: '驳回' },
  confirmReject: { en: 'Reject this submission?', zh: '确定驳回该申请？' },
  gateIntro: {
    en: 'JSON: rules over findings (severityAtLeast, ruleIds, measures) or listing differences (diffKinds), each then reject or manual-review; otherwise pass or manual-review. Submissions made after saving use the new version.',
    zh: 'JSON 格式：针对检测问题（severityAtLeast、ruleIds、measures）或上架信息差异（diffKinds）的规则，结果为 reject 或 manual-review；其余为 pass 或 manual-review。保存后新提交的申请使用新版本。',
  },
  gateVersion: { en: 'Version', zh: '版本' },
  readOnly: { en: 'Only a store administrator can change it.', zh: '仅商店管理员可修改。' },
  dryRun: { en: 'Dry run over recent submissions', zh: '对近期申请试运行' },
  reportFrame: { en: 'The detection report', zh: '检测报告' },
  uploadTooLarge: { en: 'The package is larger than this platform accepts.', zh: '安装包超过本平台允许的大小。' },
  alreadySubmitted: { en: 'This package is already submitted to this store and pending.', zh: '该安装包已提交至该商店，正在处理中。' },
} as const satisfies Record<string, { en: string; zh: string }>;

function m(lang: ConsoleLang, id: keyof typeof M): string {
  return lang === 'zh-CN' ? M[id].zh : M[id].en;
}

const profileValidator = Compile(ProfileBody);
const submissionValidator = Compile(SubmissionBody);
const gateValidator = Compile(GatePolicySchema);

const IdParam = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });
const LangOnly = { lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])) };
/** After a saved form (post/redirect/get). */
const SavedQuery = Type.Object({ ...LangOnly, saved: Type.Optional(Type.Literal('1')) }, { additionalProperties: false });

/**
 * Thrown by the submission form's check before its file (a wrong token, invalid fields): the blob
 * store stops reading and passes it on unchanged, so the handler answers with `why`.
 */
class FormRefused extends Error {
  constructor(readonly why: 'csrf' | { pointer: string; message: string }[]) {
    super('the form was refused / 表单被拒绝');
  }
}

export function consoleAppRoutes(api: Api, ctx: AppContext): void {
  const { platform } = ctx;
  const db = platform.store.db;
  const page = { hide: true } as const;
  const config = { consolePage: true } as const;

  // HTML forms arrive urlencoded; only this context parses them (the API keeps JSON and packages).
  api.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });

  const principal = (request: FastifyRequest): Principal => request.auth.principal!;
  const frame = signedInFrame;
  const checked = formChecked;
  // --- Sign-in and sign-out ---------------------------------------------------------------------

  const LoginQuery = Type.Object(
    {
      ...LangOnly,
      next: Type.Optional(Type.String({ maxLength: 2000 })),
      why: Type.Optional(Type.Union([Type.Literal('expired'), Type.Literal('other-role')])),
    },
    { additionalProperties: false },
  );

  const loginPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string | undefined,
    notice: string | undefined,
    errors: { pointer: string; message: string }[],
    login = '',
  ) => {
    const lang = pickLang(request);
    const token = formToken(request, reply);
    const body = html`<h1>${m(lang, 'signIn')}</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''} ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/login', lang)}" class="stack">
        ${csrfField(token)}
        <input type="hidden" name="lang" value="${lang}" />
        ${next ? html`<input type="hidden" name="next" value="${next}" />` : ''}
        <label>${m(lang, 'login')}<input name="login" autocomplete="username" required maxlength="254" value="${login}" /></label>
        <label
          >${m(lang, 'password')}<input name="password" type="password" autocomplete="current-password" required maxlength="1024"
        /></label>
        <label>${m(lang, 'organisationOptional')}<input name="organisation" maxlength="64" /></label>
        <button type="submit">${m(lang, 'signIn')}</button>
      </form>`;
    return layout({ lang, title: m(lang, 'signIn'), path: '/console/login', body });
  };

  api.get('/console/login', { config, schema: { ...page, querystring: LoginQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const { next, why } = request.query;
    const notice = why === 'expired' ? m(lang, 'expired') : why === 'other-role' ? m(lang, 'otherRole') : undefined;
    return sendPrivate(reply, loginPage(request, reply, safeNext(next), notice, []), lang);
  });

  api.post('/console/login', { config, schema: page }, async (request, reply) => {
    const lang = pickLang(request);
    const form = request.body;
    if (!checked(request, reply, form)) return reply;
    const next = safeNext(field(form, 'next'));
    const login = field(form, 'login').slice(0, 254);
    const password = field(form, 'password').slice(0, 1024);
    const organisation = field(form, 'organisation').trim().slice(0, 64);
    if (!login || !password) {
      const errors = [
        { pointer: '/login', message: `${PROBLEMS['invalid-credentials'].title} / ${PROBLEMS['invalid-credentials'].title_zh}` },
      ];
      return sendPrivate(reply, loginPage(request, reply, next, undefined, errors, login), lang, 400);
    }
    try {
      const session = await logIn(ctx, organisation ? { login, password, organisation } : { login, password }, {
        ip: request.ip,
        previousCookie: request.cookies[SESSION_COOKIE],
      });
      setSessionCookie(request, reply, session.cookieValue, platform.config.sessionTtlMs);
      reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/console' });
      return reply.header('cache-control', 'no-store').redirect(withLang(next ?? '/console', lang), 303);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      if (error.extra.retryAfterSeconds) reply.header('retry-after', String(Math.ceil(error.extra.retryAfterSeconds)));
      return sendPrivate(reply, loginPage(request, reply, next, undefined, problemErrors(error), login), lang, error.status);
    }
  });

  api.post('/console/logout', { config, schema: page }, async (request, reply) => {
    const lang = pickLang(request);
    if (!checked(request, reply, request.body)) return reply;
    const p = principal(request);
    if (p.via === 'session' && p.sessionId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('id', '=', p.sessionId!).execute();
        await writeAudit(trx, { action: 'auth.logout', subject: p.userId, userId: p.userId, orgId: p.orgId, ip: request.ip });
      });
    }
    clearSessionCookie(request, reply);
    return reply.header('cache-control', 'no-store').redirect(withLang('/console/login', lang), 303);
  });

  api.get(
    '/console',
    { config, schema: { ...page, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const p = principal(request);
      const own = links(lang, p.role).slice(1);
      const body = html`<h1>${m(lang, 'home')}</h1>
        <p>
          ${m(lang, 'homeIntro')}: <strong>${p.login}</strong> (${p.orgSlug},
          ${lang === 'zh-CN' ? ROLE_NAMES[p.role].zh : ROLE_NAMES[p.role].en})
        </p>
        ${
          own.length > 0
            ? html`<ul class="tiles">
                ${own.map((l) => html`<li><a href="${withLang(l.href, lang)}">${l.label}</a></li>`)}
              </ul>`
            : html`<p>${m(lang, 'notYet')}</p>`
        }`;
      return sendPrivate(reply, frame(request, reply, m(lang, 'home'), body), lang);
    },
  );

  // --- Developer identity -----------------------------------------------------------------------

  const identityPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string> | undefined,
    errors: { pointer: string; message: string }[],
    saved = false,
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    const row = await db.selectFrom('store_developers').selectAll().where('org_id', '=', p.orgId).executeTakeFirst();
    const contact = row ? ((JSON.parse(row.contacts) as { name?: string; phone?: string; email?: string }[])[0] ?? {}) : {};
    const v = values ?? {
      enterpriseName: row?.enterprise_name ?? '',
      creditCode: row?.credit_code ?? '',
      filingNumber: row?.filing_number ?? '',
      contactName: contact.name ?? '',
      contactPhone: contact.phone ?? '',
      contactEmail: contact.email ?? '',
    };
    const input = (name: string, label: keyof typeof M, extra: SafeHtml = html``) =>
      html`<label>${m(lang, label)}<input name="${name}" value="${v[name] ?? ''}" ${extra} /></label>`;
    const body = html`<h1>${m(lang, 'identity')}</h1>
      <p class="muted">${m(lang, 'identityIntro')}</p>
      ${
        row
          ? html`<p>
              ${m(lang, 'state')}: <strong class="state state-${row.state}">${stateName(lang, row.state)}</strong>
              ${row.decision_comment ? html` — ${row.decision_comment}` : ''}
            </p>`
          : ''
      }
      ${saved ? html`<p class="notice" role="status">${m(lang, 'saved')}</p>` : ''} ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/developer/identity', lang)}" class="stack">
        ${csrfField(formToken(request, reply))}
        <input type="hidden" name="lang" value="${lang}" />
        ${input('enterpriseName', 'enterpriseName', html`required maxlength="200"`)}
        ${input('creditCode', 'creditCode', html`required maxlength="64" autocomplete="off"`)}
        ${input('filingNumber', 'filingNumber', html`maxlength="64"`)}
        ${input('contactName', 'contactName', html`required maxlength="100"`)}
        ${input('contactPhone', 'contactPhone', html`maxlength="32" type="tel"`)}
        ${input('contactEmail', 'contactEmail', html`maxlength="255" type="email"`)}
        <button type="submit">${m(lang, 'save')}</button>
      </form>`;
    return frame(request, reply, m(lang, 'identity'), body);
  };

  api.get('/console/developer/identity', { config, schema: { ...page, querystring: SavedQuery } }, async (request, reply) =>
    sendPrivate(reply, await identityPage(request, reply, undefined, [], request.query.saved === '1'), pickLang(request)),
  );

  api.post('/console/developer/identity', { config, schema: page }, async (request, reply) => {
    const lang = pickLang(request);
    const form = request.body;
    if (!checked(request, reply, form)) return reply;
    const names = ['enterpriseName', 'creditCode', 'filingNumber', 'contactName', 'contactPhone', 'contactEmail'];
    const values = Object.fromEntries(names.map((n) => [n, field(form, n).trim()]));
    const contact: Record<string, string> = { name: values.contactName! };
    if (values.contactPhone) contact.phone = values.contactPhone;
    if (values.contactEmail) contact.email = values.contactEmail;
    const input: Record<string, unknown> = {
      enterpriseName: values.enterpriseName,
      creditCode: values.creditCode,
      contacts: [contact],
    };
    if (values.filingNumber) input.filingNumber = values.filingNumber;
    const errors = schemaErrors(profileValidator, input);
    if (errors.length > 0) return sendPrivate(reply, await identityPage(request, reply, values, errors), lang, 400);
    try {
      await saveDeveloperProfile(platform, principal(request), input as ProfileInput);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return sendPrivate(reply, await identityPage(request, reply, values, problemErrors(error)), lang, error.status);
    }
    // Post/redirect/get: a reload of the page after saving does not send the form again.
    return reply.redirect(withLang('/console/developer/identity?saved=1', lang), 303);
  });

  // --- Upload with the listing → submission ------------------------------------------------------

  const knowledge = loadKnowledge();
  const SubmitQuery = Type.Object(
    { ...LangOnly, resubmit: Type.Optional(Type.String({ pattern: ID_PATTERN })) },
    { additionalProperties: false },
  );

  const submitPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    errors: { pointer: string; message: string }[],
  ) => {
    const lang = pickLang(request);
    const stores = await storeChoices(db);
    const text = (name: string, label: keyof typeof M, extra: SafeHtml = html``) =>
      html`<label>${m(lang, label)}<input name="${name}" value="${values[name] ?? ''}" ${extra} /></label>`;
    const body = html`<h1>${m(lang, 'submit')}</h1>
      <p class="muted">${m(lang, 'submitIntro')}</p>
      ${errorList(lang, errors)}
      <form method="post" action="${withLang('/console/developer/submit', lang)}" enctype="multipart/form-data" class="stack">
        ${csrfField(formToken(request, reply))}
        ${
          values.resubmissionOf
            ? html`<input type="hidden" name="resubmissionOf" value="${values.resubmissionOf}" />
                <p class="notice">${m(lang, 'resubmitting')}: <code>${values.resubmissionOf}</code></p>`
            : ''
        }
        <label
          >${m(lang, 'store')}<select name="store" required>
            ${stores.map((s) => html`<option value="${s.id}" ${s.id === values.store ? html`selected` : ''}>${s.name}</option>`)}
          </select></label
        >
        <label
          >${m(lang, 'appType')}<select name="appType" required>
            ${knowledge.appTypes.map(
              (a) =>
                html`<option value="${a.id}" ${a.id === values.appType ? html`selected` : ''}>
                  ${a.number}. ${lang === 'zh-CN' ? a.zh : a.en}
                </option>`,
            )}
          </select></label
        >
        ${text('name', 'appName', html`required maxlength="100"`)} ${text('version', 'appVersion', html`required maxlength="64"`)}
        ${text('developer', 'developerName', html`required maxlength="200"`)}
        ${text('privacyPolicyUrl', 'policyUrl', html`required maxlength="2048" type="url"`)}
        <label
          >${m(lang, 'permissionsField')}<textarea name="permissions" rows="6" maxlength="60000">${values.permissions ?? ''}</textarea>
        </label>
        <label
          >${m(lang, 'functions')}<textarea name="description" rows="4" required maxlength="5000">${values.description ?? ''}</textarea>
        </label>
        <label>${m(lang, 'file')}<input type="file" name="file" accept=".apk,application/vnd.android.package-archive" required /></label>
        <button type="submit">${m(lang, 'send')}</button>
      </form>`;
    return frame(request, reply, m(lang, 'submit'), body);
  };

  api.get('/console/developer/submit', { config, schema: { ...page, querystring: SubmitQuery } }, async (request, reply) => {
    const values: Record<string, string> = {};
    if (request.query.resubmit) {
      // The rejected submission's listing, to correct rather than retype.
      const prior = await scopedSubmissions(platform, principal(request)).where('id', '=', request.query.resubmit).executeTakeFirst();
      if (!prior) return notFoundPage(request, reply);
      const e = JSON.parse(prior.elements) as SubmissionInput['elements'];
      Object.assign(values, {
        resubmissionOf: prior.id,
        store: prior.store_id,
        appType: prior.app_type,
        name: e.name,
        version: e.version,
        developer: e.developer,
        privacyPolicyUrl: e.privacyPolicyUrl,
        permissions: e.permissions.map((p) => `${p.name}: ${p.purpose}`).join('\n'),
        description: e.description,
      });
    }
    return sendPrivate(reply, await submitPage(request, reply, values, []), pickLang(request));
  });

  /** The listing as the API takes it, from the form's text fields. */
  const submissionInput = (values: Record<string, string>, blob: string): Record<string, unknown> => {
    const permissions = (values.permissions ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(0, 301)
      .map((line) => {
        const at = line.search(/[:：]/);
        return at < 0 ? { name: line, purpose: '' } : { name: line.slice(0, at).trim(), purpose: line.slice(at + 1).trim() };
      });
    const input: Record<string, unknown> = {
      store: values.store ?? '',
      blob,
      appType: values.appType ?? '',
      elements: {
        name: values.name ?? '',
        version: values.version ?? '',
        developer: values.developer ?? '',
        privacyPolicyUrl: values.privacyPolicyUrl ?? '',
        permissions,
        description: values.description ?? '',
      },
    };
    if (values.resubmissionOf) input.resubmissionOf = values.resubmissionOf;
    return input;
  };

  const SUBMIT_FIELDS = new Set([
    CSRF_FIELD,
    'store',
    'appType',
    'name',
    'version',
    'developer',
    'privacyPolicyUrl',
    'permissions',
    'description',
    'resubmissionOf',
  ]);

  api.post(
    '/console/developer/submit',
    { config, schema: { ...page, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const p = principal(request);
      const values: Record<string, string> = {};
      const type = request.headers['content-type'];
      if (!isMultipart(type)) {
        // Only the browser's multipart form carries a package; anything else is answered with the form.
        if (!checked(request, reply, request.body)) return reply;
        const errors = [{ pointer: '/file', message: `${PROBLEMS['no-file'].title} / ${PROBLEMS['no-file'].title_zh}` }];
        return sendPrivate(reply, await submitPage(request, reply, values, errors), lang, 400);
      }
      // The fields come before the file (the form's order): the token and the listing are checked
      // before a byte of the package is stored, so a refused form stores nothing. The form is read
      // by the same reader as the API's uploads (http/multipart/reader.ts).
      const fields: Record<string, string> = {};
      const takeFields = () => {
        for (const [name, value] of Object.entries(fields)) if (SUBMIT_FIELDS.has(name)) values[name] = value;
      };
      let blob: string;
      try {
        const source = multipartFile(request.body as Readable, type, {
          fields,
          beforeFile: () => {
            takeFields();
            if (!csrfMatches(request, values[CSRF_FIELD] ?? '')) throw new FormRefused('csrf');
            const errors = schemaErrors(submissionValidator, submissionInput(values, '0'.repeat(64)));
            if (errors.length > 0) throw new FormRefused(errors);
          },
        });
        const { stored } = await storePackage(ctx, p, source);
        blob = stored.sha256;
      } catch (error) {
        takeFields();
        const refusal = error instanceof FormRefused ? error.why : undefined;
        if (refusal === 'csrf' || !csrfMatches(request, values[CSRF_FIELD] ?? '')) return csrfRefused(request, reply);
        if (refusal !== undefined) return sendPrivate(reply, await submitPage(request, reply, values, refusal), lang, 400);
        if (error instanceof BlobTooLargeError) {
          reply.header('connection', 'close');
          const tooLarge = [{ pointer: '/file', message: `${M.uploadTooLarge.en} / ${M.uploadTooLarge.zh}` }];
          return sendPrivate(reply, await submitPage(request, reply, values, tooLarge), lang, 413);
        }
        if (!(error instanceof ProblemError)) throw error;
        const refused = problemErrors(error).map((e) => ({ ...e, pointer: e.pointer || '/file' }));
        return sendPrivate(reply, await submitPage(request, reply, values, refused), lang, error.status);
      }
      const input = submissionInput(values, blob) as SubmissionInput;
      // A second click (or a resent form) of the same package to the same store, while the first is
      // still being decided, goes to the first submission instead of making another.
      const pending = await db
        .selectFrom('store_submissions')
        .select('id')
        .where('developer_org_id', '=', p.orgId)
        .where('store_id', '=', input.store)
        .where('blob_sha256', '=', blob)
        .where('state', 'in', ['detecting', 'review'])
        .executeTakeFirst();
      if (pending) return reply.redirect(withLang(`/console/submissions/${pending.id}`, lang), 303);
      try {
        const created = await createSubmission(platform, p, input);
        return reply.redirect(withLang(`/console/submissions/${created.id}`, lang), 303);
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        return sendPrivate(reply, await submitPage(request, reply, values, problemErrors(error)), lang, error.status);
      }
    },
  );

  // --- Submissions: list, page, progress ----------------------------------------------------------

  const STATES = ['detecting', 'review', 'listed', 'rejected', 'detection-failed'] as const;
  const ListQuery = Type.Object(
    {
      ...LangOnly,
      state: Type.Optional(Type.Union(STATES.map((s) => Type.Literal(s)))),
      cursor: Type.Optional(Type.String({ pattern: ID_PATTERN })),
    },
    { additionalProperties: false },
  );

  api.get('/console/submissions', { config, schema: { ...page, querystring: ListQuery } }, async (request, reply) => {
    const lang = pickLang(request);
    const p = principal(request);
    const { state, cursor } = request.query;
    let query = scopedSubmissions(platform, p);
    if (state) query = query.where('state', '=', state);
    if (cursor) query = query.where('id', '<', cursor);
    const rows = await query.orderBy('id', 'desc').limit(51).execute();
    const more = rows.length > 50;
    const shown = more ? rows.slice(0, 50) : rows;
    const storeNames = new Map(
      (await db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'store').limit(500).execute()).map((s) => [
        s.id,
        s.name,
      ]),
    );
    const title = state === 'review' && p.role !== 'developer' ? m(lang, 'reviewQueue') : m(lang, 'submissions');
    const nextParams = new URLSearchParams();
    if (state) nextParams.set('state', state);
    if (more) nextParams.set('cursor', shown[shown.length - 1]!.id);
    const body = html`<h1>${title}</h1>
      <nav class="filters" aria-label="${m(lang, 'state')}">
        <a href="${withLang('/console/submissions', lang)}">${lang === 'zh-CN' ? '全部' : 'All'}</a>
        ${STATES.map((s) => html`<a href="${withLang(`/console/submissions?state=${s}`, lang)}" ${s === state ? html`aria-current="page"` : ''}>${stateName(lang, s)}</a>`)}
      </nav>
      ${
        shown.length === 0
          ? html`<p>${m(lang, 'noSubmissions')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${m(lang, 'appName')}</th>
                  <th scope="col">${m(lang, 'appVersion')}</th>
                  <th scope="col">${m(lang, 'store')}</th>
                  <th scope="col">${m(lang, 'state')}</th>
                  <th scope="col">${m(lang, 'created')}</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map((s) => {
                  const e = JSON.parse(s.elements) as { name?: string; version?: string };
                  return html`<tr>
                    <td><a href="${withLang(`/console/submissions/${s.id}`, lang)}">${e.name ?? s.id}</a></td>
                    <td>${e.version ?? ''}</td>
                    <td>${storeNames.get(s.store_id) ?? s.store_id}</td>
                    <td><span class="state state-${s.state}">${stateName(lang, s.state)}</span></td>
                    <td>${time(s.created_at)}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
      ${more ? html`<p class="pager"><a rel="next" href="${withLang(`/console/submissions?${nextParams}`, lang)}">${lang === 'zh-CN' ? '下一页' : 'Next page'}</a></p>` : ''}`;
    return sendPrivate(reply, frame(request, reply, title, body), lang);
  });

  const jobStates = async (ids: (string | null)[]) => {
    const wanted = ids.filter((id): id is string => id !== null);
    if (wanted.length === 0) return [];
    return db.selectFrom('jobs').select(['id', 'kind', 'state', 'attempts']).where('id', 'in', wanted).orderBy('id').execute();
  };

  const progressOf = async (s: { state: string; scan_job_id: string | null; policy_job_id: string | null; updated_at: number }) => ({
    state: s.state,
    done: s.state !== 'detecting',
    updatedAt: s.updated_at,
    jobs: (await jobStates([s.scan_job_id, s.policy_job_id])).map((j) => ({ id: j.id, kind: j.kind, state: j.state })),
  });

  api.get(
    '/console/submissions/:id/progress',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const row = await scopedSubmissions(platform, principal(request)).where('id', '=', request.params.id).executeTakeFirst();
      if (!row) return reply.code(404).header('cache-control', 'no-store').send({ state: null, done: true, jobs: [] });
      return reply.header('cache-control', 'no-store').send(await progressOf(row));
    },
  );

  const submissionPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors: { pointer: string; message: string }[],
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    const s = await scopedSubmissions(platform, p).where('id', '=', id).executeTakeFirst();
    if (!s) return undefined;
    const e = JSON.parse(s.elements) as SubmissionInput['elements'];
    const store = await db.selectFrom('organisations').select('name').where('id', '=', s.store_id).executeTakeFirst();
    const progress = await progressOf(s);
    const reasons = (s.reasons ? (JSON.parse(s.reasons) as GateReason[]) : []).slice(0, 200);
    const claimer = s.claimed_by
      ? await db.selectFrom('users').select('login').where('id', '=', s.claimed_by).executeTakeFirst()
      : undefined;
    const token = formToken(request, reply);
    const reviewing = p.role === 'store-reviewer' && s.state === 'review';
    const deciding = reviewing && s.claimed_by === p.userId;
    const reasonRows = reasons.map((r, i) => {
      const subject = r.finding
        ? html`<code>${r.finding.ruleId}</code> <span class="tag">${r.finding.severity}</span> ${textOf(r.finding.message, lang)}`
        : r.diff
          ? html`<code>${r.diff.kind}</code> ${r.diff.pointer ? html`<code>${r.diff.pointer}</code>` : ''}`
          : '';
      const detail = r.finding
        ? textOf(r.finding.evidence, lang)
        : r.diff
          ? textOf({ ...r.diff, kind: undefined, pointer: undefined }, lang)
          : '';
      // The reviewer ticks the findings a decision rests on right here: the checkbox belongs to the
      // decision form below through its form attribute (no script needed).
      return html`<tr id="reason-${i}">
        ${
          deciding
            ? html`<td>
                <input type="checkbox" name="reason" value="${i}" form="decision-form" aria-label="${m(lang, 'linkFindings')} ${i + 1}" />
              </td>`
            : ''
        }
        <td><code>${r.gateRule}</code></td>
        <td>${stateName(lang, r.then)}</td>
        <td>${subject}</td>
        <td class="evidence">${detail}</td>
      </tr>`;
    });
    const body = html`<h1>${e.name} <small>${e.version}</small></h1>
      <dl class="elements">
        <dt>${m(lang, 'store')}</dt>
        <dd>${store?.name ?? s.store_id}</dd>
        <dt>${m(lang, 'state')}</dt>
        <dd><strong class="state state-${s.state}" data-state>${stateName(lang, s.state)}</strong></dd>
        <dt>${m(lang, 'created')}</dt>
        <dd>${time(s.created_at)}</dd>
        ${
          s.resubmission_of
            ? html`<dt>${m(lang, 'resubmitting')}</dt>
                <dd>
                  <a href="${withLang(`/console/submissions/${s.resubmission_of}`, lang)}"><code>${s.resubmission_of}</code></a>
                </dd>`
            : ''
        }
        ${
          s.outcome
            ? html`<dt>${m(lang, 'outcome')}</dt>
                <dd>${stateName(lang, s.outcome)}</dd>`
            : ''
        }
        ${
          claimer
            ? html`<dt>${m(lang, 'claimedBy')}</dt>
                <dd>${claimer.login}</dd>`
            : ''
        }
      </dl>
      <section aria-labelledby="progress-h">
        <h2 id="progress-h">${m(lang, 'progress')}</h2>
        <ul class="jobs" data-poll="${progress.done ? '' : `/console/submissions/${s.id}/progress`}" aria-live="polite">
          ${progress.jobs.map((j) => html`<li data-job="${j.id}">${m(lang, 'job')} ${j.kind}: <span class="job-state">${stateName(lang, j.state)}</span></li>`)}
        </ul>
        ${progress.done ? '' : html`<p><a href="${withLang(`/console/submissions/${s.id}`, lang)}">${m(lang, 'refresh')}</a></p>`}
      </section>
      ${
        s.scan_report_id
          ? html`<p><a class="button" href="${withLang(`/console/reports/${s.scan_report_id}`, lang)}">${m(lang, 'openReport')}</a></p>`
          : ''
      }
      ${
        s.decision_comment
          ? html`<h2>${m(lang, 'reviewerComment')}</h2>
              <p class="comment">${s.decision_comment}</p>`
          : ''
      }
      ${
        s.state !== 'detecting'
          ? html`<h2>${m(lang, 'reasons')}</h2>
              ${
                reasons.length === 0
                  ? html`<p>${m(lang, 'noReasons')}</p>`
                  : html`<table class="reasons">
                      <thead>
                        <tr>
                          ${deciding ? html`<th scope="col">${m(lang, 'cite')}</th>` : ''}
                          <th scope="col">${m(lang, 'gateRule')}</th>
                          <th scope="col">${m(lang, 'outcome')}</th>
                          <th scope="col">${m(lang, 'finding')}</th>
                          <th scope="col">${m(lang, 'evidence')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${reasonRows}
                      </tbody>
                    </table>`
              }`
          : ''
      }
      ${
        p.role === 'developer' && s.state === 'rejected'
          ? html`<p><a class="button" href="${withLang(`/console/developer/submit?resubmit=${s.id}`, lang)}">${m(lang, 'resubmit')}</a></p>`
          : ''
      }
      ${reviewing ? errorList(lang, errors) : ''}
      ${
        reviewing && s.claimed_by !== p.userId
          ? html`<form method="post" action="${withLang(`/console/submissions/${s.id}/claim`, lang)}">
              ${csrfField(token)}
              <input type="hidden" name="lang" value="${lang}" />
              <button type="submit">${m(lang, 'claim')}</button>
            </form>`
          : ''
      }
      ${
        reviewing && s.claimed_by === p.userId
          ? html`<form
              method="post"
              action="${withLang(`/console/submissions/${s.id}/decision`, lang)}"
              class="stack decision"
              id="decision-form"
            >
              ${csrfField(token)}
              <input type="hidden" name="lang" value="${lang}" />
              <h2>${m(lang, 'decide')}</h2>
              ${reasons.length > 0 ? html`<p class="muted">${m(lang, 'linkHint')}</p>` : ''}
              <label>${m(lang, 'comment')}<textarea name="comment" rows="4" required maxlength="1500"></textarea></label>
              <div class="actions">
                <button type="submit" name="decision" value="pass">${m(lang, 'pass')}</button>
                <button type="submit" name="decision" value="reject" class="danger">${m(lang, 'reject')}</button>
              </div>
            </form>`
          : ''
      }`;
    const head = progress.done ? undefined : html`<noscript><meta http-equiv="refresh" content="5" /></noscript>`;
    return frame(request, reply, e.name, body, head);
  };

  api.get(
    '/console/submissions/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const out = await submissionPage(request, reply, request.params.id, []);
      if (!out) return notFoundPage(request, reply);
      return sendPrivate(reply, out, pickLang(request));
    },
  );

  /** After a reviewer's action: back to the page (303), or the page with the reason it failed. */
  const reviewAction = async (request: FastifyRequest, reply: FastifyReply, id: string, action: () => Promise<unknown>) => {
    const lang = pickLang(request);
    const exists = await scopedSubmissions(platform, principal(request)).select('id as sid').where('id', '=', id).executeTakeFirst();
    if (!exists) return notFoundPage(request, reply);
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const out = await submissionPage(request, reply, id, problemErrors(error));
      return out ? sendPrivate(reply, out, lang, error.status) : notFoundPage(request, reply);
    }
    return reply.redirect(withLang(`/console/submissions/${id}`, lang), 303);
  };

  api.post('/console/submissions/:id/claim', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    if (!checked(request, reply, request.body)) return reply;
    return reviewAction(request, reply, request.params.id, () => claimSubmission(platform, principal(request), request.params.id));
  });

  api.post('/console/submissions/:id/decision', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    const form = request.body;
    if (!checked(request, reply, form)) return reply;
    const lang = pickLang(request);
    const id = request.params.id;
    const decision = field(form, 'decision');
    const comment = field(form, 'comment').trim().slice(0, 1500);
    if ((decision !== 'pass' && decision !== 'reject') || comment === '') {
      const out = await submissionPage(request, reply, id, [
        ...(decision !== 'pass' && decision !== 'reject' ? [{ pointer: '/decision', message: 'pass or reject / 通过或驳回' }] : []),
        ...(comment === '' ? [{ pointer: '/comment', message: 'a comment is required / 请填写审核意见' }] : []),
      ]);
      return out ? sendPrivate(reply, out, lang, 400) : notFoundPage(request, reply);
    }
    // The findings the reviewer ticked are named in the comment the developer reads (rule id and
    // fingerprint), so the decision points at the same findings the report shows.
    const row = await scopedSubmissions(platform, principal(request)).where('id', '=', id).executeTakeFirst();
    const reasons = row?.reasons ? (JSON.parse(row.reasons) as GateReason[]) : [];
    const linked = fields(form, 'reason')
      .map((i) => reasons[Number(i)])
      .filter((r): r is GateReason => r !== undefined)
      .slice(0, 20)
      .map((r) => (r.finding ? `${r.finding.ruleId} (${r.finding.fingerprint.slice(0, 12)})` : (r.diff?.kind ?? r.gateRule)));
    const text = linked.length > 0 ? `${comment}\n${lang === 'zh-CN' ? '依据' : 'Findings'}: ${linked.join('; ')}` : comment;
    return reviewAction(request, reply, id, () =>
      decideSubmission(platform, principal(request), id, { decision, comment: text.slice(0, 2000) }),
    );
  });

  // --- Reports: the engine's own HTML, in a sandboxed frame ---------------------------------------

  /** A report the caller may read: their organisation's, or one of a submission to their store. */
  const reportFor = async (p: Principal, id: string) => {
    const row = await db
      .selectFrom('reports')
      .select(['id', 'org_id', 'kind', 'body', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || (row.kind !== 'scan' && row.kind !== 'rerun')) return undefined;
    if (row.org_id === p.orgId) return row;
    if (p.role === 'store-admin' || p.role === 'store-reviewer') {
      const viaSubmission = await db
        .selectFrom('store_submissions')
        .select('id')
        .where('store_id', '=', p.orgId)
        .where('scan_report_id', '=', id)
        .executeTakeFirst();
      if (viaSubmission) return row;
    }
    return undefined;
  };

  api.get(
    '/console/reports/:id',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const row = await reportFor(principal(request), request.params.id);
      if (!row) return notFoundPage(request, reply);
      const body = html`<h1>${m(lang, 'report')}</h1>
        <p class="muted">${time(row.created_at)}</p>
        <iframe class="report" sandbox="" src="/console/reports/${row.id}/frame?lang=${lang}" title="${m(lang, 'reportFrame')}"></iframe>`;
      return sendPrivate(reply, frame(request, reply, m(lang, 'report'), body), lang);
    },
  );

  api.get(
    '/console/reports/:id/frame',
    { config, schema: { ...page, params: IdParam, querystring: Type.Object(LangOnly, { additionalProperties: false }) } },
    async (request, reply) => {
      const lang = pickLang(request);
      const row = await reportFor(principal(request), request.params.id);
      if (!row) return notFoundPage(request, reply);
      const reportLang: Lang = lang === 'zh-CN' ? 'zh' : 'en';
      // The engine's renderer escapes what it takes from the package; its page has inline styles and
      // no script, so it gets a policy of its own: no script at all, sandboxed, framed only by the console.
      // Its one script (the language toggle and the copy button, which stay hidden without it) is left
      // out: the console chose the language already, and a frame that runs no script needs no exception.
      // The renderer escapes all text, so "<script>" in its output is its own element, never the package's.
      const page = trustedHtml(
        renderScanReport(JSON.parse(row.body) as never, 'html', reportLang).replace(/<script>[\s\S]*?<\/script>/g, ''),
      );
      return reply
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox",
        )
        .header('x-frame-options', 'SAMEORIGIN')
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(page.value);
    },
  );

  // --- The store's gate policy ------------------------------------------------------------------------

  const gatePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    text: string | undefined,
    errors: { pointer: string; message: string }[],
    saved = false,
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    const current = await db
      .selectFrom('store_gate_policies')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('store_id', '=', p.orgId)
      .executeTakeFirst();
    const version = Number(current?.v ?? 0);
    const policy = await gatePolicy(db, p.orgId, version);
    const admin = p.role === 'store-admin';
    const body = html`<h1>${m(lang, 'gate')}</h1>
      <p class="muted">${m(lang, 'gateIntro')}</p>
      <p>${m(lang, 'gateVersion')}: <strong>${version}</strong></p>
      ${saved ? html`<p class="notice" role="status">${m(lang, 'saved')}</p>` : ''} ${errorList(lang, errors)}
      ${
        admin
          ? html`<form method="post" action="${withLang('/console/store/gate', lang)}" class="stack">
              ${csrfField(formToken(request, reply))}
              <input type="hidden" name="lang" value="${lang}" />
              <label
                >${m(lang, 'gate')} (JSON)<textarea name="policy" rows="20" class="code" spellcheck="false" maxlength="100000">
${text ?? JSON.stringify(policy, null, 2)}</textarea>
              </label>
              <button type="submit">${m(lang, 'save')}</button>
              <button type="submit" formaction="${withLang('/console/store/gate/dry-run', lang)}">${m(lang, 'dryRun')}</button>
            </form>`
          : html`<p>${m(lang, 'readOnly')}</p>
              <pre class="code">${JSON.stringify(policy, null, 2)}</pre>
              <form method="post" action="${withLang('/console/store/gate/dry-run', lang)}">
                ${csrfField(formToken(request, reply))}
                <input type="hidden" name="policy" value="${JSON.stringify(policy)}" />
                <button type="submit">${m(lang, 'dryRun')}</button>
              </form>`
      }`;
    return frame(request, reply, m(lang, 'gate'), body);
  };

  api.get('/console/store/gate', { config, schema: { ...page, querystring: SavedQuery } }, async (request, reply) =>
    sendPrivate(reply, await gatePage(request, reply, undefined, [], request.query.saved === '1'), pickLang(request)),
  );

  api.post('/console/store/gate', { config, schema: page }, async (request, reply) => {
    const lang = pickLang(request);
    const form = request.body;
    if (!checked(request, reply, form)) return reply;
    const text = field(form, 'policy');
    let policy: unknown;
    try {
      policy = JSON.parse(text);
    } catch (error) {
      const errors = [{ pointer: '', message: `not JSON: ${(error as Error).message} / 不是有效的 JSON` }];
      return sendPrivate(reply, await gatePage(request, reply, text, errors), lang, 400);
    }
    // The schema first (shapes), then what a schema cannot say (gateProblems); at most 20 shown each.
    const shapeErrors = schemaErrors(gateValidator, policy);
    const errors = shapeErrors.length > 0 ? shapeErrors : gateProblems(policy as GatePolicy).slice(0, 20);
    if (errors.length > 0) return sendPrivate(reply, await gatePage(request, reply, text, errors), lang, 400);
    try {
      await saveGatePolicy(platform, principal(request), policy as GatePolicy);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return sendPrivate(reply, await gatePage(request, reply, text, problemErrors(error)), lang, error.status);
    }
    return reply.redirect(withLang('/console/store/gate?saved=1', lang), 303);
  });

  // --- Developer identities (any store may verify one; the store admin decides) -----------------------

  const IDENTITY_STATES = ['unverified', 'verified', 'rejected'] as const;
  const DevelopersQuery = Type.Object(
    {
      ...LangOnly,
      state: Type.Optional(Type.Union(IDENTITY_STATES.map((v) => Type.Literal(v)))),
      cursor: Type.Optional(Type.String({ pattern: ID_PATTERN })),
    },
    { additionalProperties: false },
  );

  const developersPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: (typeof IDENTITY_STATES)[number],
    cursor: string | undefined,
    errors: { pointer: string; message: string }[],
  ) => {
    const lang = pickLang(request);
    const p = principal(request);
    let query = db.selectFrom('store_developers').selectAll().where('state', '=', state);
    if (cursor) query = query.where('org_id', '<', cursor);
    const rows = await query.orderBy('org_id', 'desc').limit(51).execute();
    const more = rows.length > 50;
    const shown = more ? rows.slice(0, 50) : rows;
    const token = formToken(request, reply);
    const admin = p.role === 'store-admin';
    const body = html`<h1>${m(lang, 'developers')}</h1>
      <nav class="filters" aria-label="${m(lang, 'state')}">
        ${IDENTITY_STATES.map(
          (v) =>
            html`<a href="${withLang(`/console/store/developers?state=${v}`, lang)}" ${v === state ? html`aria-current="page"` : ''}
              >${stateName(lang, v)}</a
            >`,
        )}
      </nav>
      ${errorList(lang, errors)}
      ${
        shown.length === 0
          ? html`<p>${m(lang, 'noDevelopers')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${m(lang, 'enterpriseName')}</th>
                  <th scope="col">${m(lang, 'creditCode')}</th>
                  <th scope="col">${m(lang, 'filingNumber')}</th>
                  <th scope="col">${m(lang, 'contact')}</th>
                  <th scope="col">${m(lang, 'updated')}</th>
                  ${admin ? html`<th scope="col">${m(lang, 'decide')}</th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${shown.map((d) => {
                  const contact = (JSON.parse(d.contacts) as { name?: string; phone?: string; email?: string }[])[0];
                  return html`<tr>
                    <td>${d.enterprise_name}</td>
                    <td><code>${d.credit_code}</code></td>
                    <td>${d.filing_number ?? ''}</td>
                    <td>${contact ? [contact.name, contact.phone, contact.email].filter(Boolean).join(' · ') : ''}</td>
                    <td>${time(d.updated_at)}</td>
                    ${
                      admin
                        ? html`<td>
                            <form method="post" action="${withLang(`/console/store/developers/${d.org_id}/decision`, lang)}" class="inline">
                              ${csrfField(token)}
                              <label
                                >${m(lang, 'optionalComment')}<input
                                  name="comment"
                                  maxlength="2000"
                                  aria-label="${m(lang, 'optionalComment')}"
                              /></label>
                              <button type="submit" name="decision" value="verified">${m(lang, 'verify')}</button>
                              <button type="submit" name="decision" value="rejected" class="danger">${m(lang, 'rejectIdentity')}</button>
                            </form>
                          </td>`
                        : ''
                    }
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
      ${
        more
          ? html`<p class="pager">
              <a rel="next" href="${withLang(`/console/store/developers?state=${state}&cursor=${shown[shown.length - 1]!.org_id}`, lang)}"
                >${lang === 'zh-CN' ? '下一页' : 'Next page'}</a
              >
            </p>`
          : ''
      }`;
    return frame(request, reply, m(lang, 'developers'), body);
  };

  api.get('/console/store/developers', { config, schema: { ...page, querystring: DevelopersQuery } }, async (request, reply) =>
    sendPrivate(
      reply,
      await developersPage(request, reply, request.query.state ?? 'unverified', request.query.cursor, []),
      pickLang(request),
    ),
  );

  api.post('/console/store/developers/:id/decision', { config, schema: { ...page, params: IdParam } }, async (request, reply) => {
    const lang = pickLang(request);
    const form = request.body;
    if (!checked(request, reply, form)) return reply;
    const decision = field(form, 'decision');
    const comment = field(form, 'comment').trim().slice(0, 2000);
    if (decision !== 'verified' && decision !== 'rejected') {
      const errors = [{ pointer: '/decision', message: 'verified or rejected / 认证通过或不予认证' }];
      return sendPrivate(reply, await developersPage(request, reply, 'unverified', undefined, errors), lang, 400);
    }
    try {
      await decideDeveloper(platform, principal(request), request.params.id, comment ? { decision, comment } : { decision });
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      if (error.code === 'not-found') return notFoundPage(request, reply);
      return sendPrivate(reply, await developersPage(request, reply, 'unverified', undefined, problemErrors(error)), lang, error.status);
    }
    return reply.redirect(withLang(`/console/store/developers?state=${decision}`, lang), 303);
  });

  // The other workflows' screens (workflow-screens.ts has who may open them and their links).
  const kit = { frame, checked };
  regulatorScreens(api, ctx, kit);
  providerScreens(api, ctx, kit);
  complaintScreens(api, ctx, kit);
  publicWorkflowPages(api, ctx);
}
