import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/schema.js';
import { PROBLEMS, type FieldError, type ProblemError } from '../http/problems.js';
import { extraLinks } from './extra-access.js';
import { csrfMatches, csrfRefused, CSRF_FIELD, field, formToken } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, shanghaiTime, type ConsoleLang } from './i18n.js';
import { layout } from './layout.js';
import { words, workflowLinks } from './workflow-screens.js';

// The signed-in console's frame (the user's links, the sign-out form) and what every screen file
// shares: state and role names, times, form errors, the CSRF check of a POST. Screen files import
// these from here and pages.ts registers the screens, so no screen file imports pages.ts back.

/** The navigation's words, which the store and developer screens (pages.ts) also use as titles. */
export const NAV_WORDS = {
  home: { en: 'Console', zh: '控制台' },
  identity: { en: 'Organisation identity', zh: '开发者身份' },
  submit: { en: 'Submit an app', zh: '提交应用' },
  submissions: { en: 'Submissions', zh: '上架申请' },
  reviewQueue: { en: 'Review queue', zh: '审核队列' },
  gate: { en: 'Gate policy', zh: '门禁策略' },
  developers: { en: 'Developer identities', zh: '开发者身份认证' },
} as const satisfies Record<string, { en: string; zh: string }>;

const WORDS = {
  ...NAV_WORDS,
  errors: { en: 'Please correct the following', zh: '请更正以下问题' },
} as const satisfies Record<string, { en: string; zh: string }>;

const m = words(WORDS);

export const STATE_NAMES: Record<string, { en: string; zh: string }> = {
  detecting: { en: 'detecting', zh: '检测中' },
  review: { en: 'in manual review', zh: '人工审核中' },
  listed: { en: 'listed', zh: '已上架' },
  rejected: { en: 'rejected', zh: '已驳回' },
  'detection-failed': { en: 'detection failed', zh: '检测失败' },
  unverified: { en: 'unverified', zh: '待认证' },
  verified: { en: 'verified', zh: '已认证' },
  queued: { en: 'queued', zh: '排队中' },
  running: { en: 'running', zh: '运行中' },
  succeeded: { en: 'succeeded', zh: '已完成' },
  failed: { en: 'failed', zh: '失败' },
  dead: { en: 'failed for good', zh: '最终失败' },
  cancelled: { en: 'cancelled', zh: '已取消' },
  pass: { en: 'pass', zh: '通过' },
  reject: { en: 'reject', zh: '驳回' },
  'manual-review': { en: 'manual review', zh: '人工审核' },
};

export function stateName(lang: ConsoleLang, state: string | null | undefined): string {
  if (!state) return '';
  const name = STATE_NAMES[state];
  return name ? (lang === 'zh-CN' ? name.zh : name.en) : state;
}

export const ROLE_NAMES: Record<Role, { en: string; zh: string }> = {
  'platform-admin': { en: 'platform admin', zh: '平台管理员' },
  'store-admin': { en: 'store admin', zh: '商店管理员' },
  'store-reviewer': { en: 'store reviewer', zh: '商店审核员' },
  developer: { en: 'developer', zh: '开发者' },
  'sdk-vendor': { en: 'SDK vendor', zh: 'SDK 提供方' },
  regulator: { en: 'regulator', zh: '监管部门' },
  'access-provider': { en: 'access provider', zh: '接入服务提供者' },
};

/** A role's links: the store workflow's (pages.ts), the other workflows' from workflow-screens.ts, the further screens' from extra-access.ts. */
export function links(lang: ConsoleLang, role: Role): { href: string; label: string }[] {
  return [...baseLinks(lang, role), ...workflowLinks(lang, role), ...extraLinks(lang, role)];
}

function baseLinks(lang: ConsoleLang, role: Role): { href: string; label: string }[] {
  const home = { href: '/console', label: m(lang, 'home') };
  switch (role) {
    case 'developer':
      return [
        home,
        { href: '/console/developer/identity', label: m(lang, 'identity') },
        { href: '/console/developer/submit', label: m(lang, 'submit') },
        { href: '/console/submissions', label: m(lang, 'submissions') },
      ];
    case 'store-reviewer':
    case 'store-admin':
      return [
        home,
        { href: '/console/submissions?state=review', label: m(lang, 'reviewQueue') },
        { href: '/console/submissions', label: m(lang, 'submissions') },
        { href: '/console/store/gate', label: m(lang, 'gate') },
        { href: '/console/store/developers', label: m(lang, 'developers') },
      ];
    default:
      return [home];
  }
}

export function time(ms: number | null | undefined): SafeHtml {
  if (ms === null || ms === undefined) return html``;
  const { text, iso } = shanghaiTime(ms);
  return html`<time datetime="${iso}" title="${iso} UTC">${text}</time>`;
}

/** Text of a bilingual value ({en, zh}), a string, or anything else shortened to JSON. */
export function textOf(value: unknown, lang: ConsoleLang): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && ('en' in value || 'zh' in value)) {
    const v = value as { en?: unknown; zh?: unknown };
    const pick = lang === 'zh-CN' ? (v.zh ?? v.en) : (v.en ?? v.zh);
    if (typeof pick === 'string') return pick;
  }
  const json = JSON.stringify(value);
  return json.length > 600 ? `${json.slice(0, 600)}…` : json;
}

export function errorList(lang: ConsoleLang, errors: readonly { pointer: string; message: string }[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="errors" role="alert">
    <p><strong>${m(lang, 'errors')}</strong></p>
    <ul>
      ${errors.map((e) => html`<li><code>${e.pointer || '/'}</code> ${e.message}</li>`)}
    </ul>
  </div>`;
}

/** A problem's words for a person: its title in both languages, its detail, its field errors. */
export function problemErrors(error: ProblemError): { pointer: string; message: string }[] {
  const text = PROBLEMS[error.code];
  const fieldErrors: FieldError[] = error.extra.errors ?? [];
  if (fieldErrors.length > 0) return fieldErrors.map((e) => ({ pointer: e.pointer, message: e.message }));
  return [{ pointer: '', message: `${text.title} / ${text.title_zh}${error.detail ? ` — ${error.detail}` : ''}` }];
}

/** Schema errors of a form's data, with the JSON pointer of each field. */
export function schemaErrors(validator: { Errors(value: unknown): { instancePath: string; message: string }[] }, value: unknown) {
  return validator
    .Errors(value)
    .slice(0, 20)
    .map((e) => ({ pointer: e.instancePath, message: e.message }));
}

/** The frame of a signed-in page: the user's links and the sign-out form. */
export function signedInFrame(request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, head?: SafeHtml): SafeHtml {
  const lang = pickLang(request);
  const p = request.auth.principal!;
  const path = request.url.replace(/([?&])lang=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return layout({
    lang,
    title,
    path,
    body,
    ...(head ? { head } : {}),
    user: {
      login: p.login,
      role: lang === 'zh-CN' ? ROLE_NAMES[p.role].zh : ROLE_NAMES[p.role].en,
      csrf: formToken(request, reply),
      links: links(lang, p.role),
    },
  });
}

/** A POST's token, or the 403 page (sent). */
export function formChecked(request: FastifyRequest, reply: FastifyReply, form: unknown): boolean {
  if (csrfMatches(request, field(form, CSRF_FIELD))) return true;
  csrfRefused(request, reply);
  return false;
}
