import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { newSecret } from '../http/auth.js';
import { html, type SafeHtml } from './html.js';
import { pickLang, t, type ConsoleLang } from './i18n.js';
import { layout, withLang } from './layout.js';
import { CONSOLE_CSP } from './routes.js';

// What every console form shares: the body as text fields, the CSRF token in a hidden field, the
// sign-in redirect with a `next` that can only point back into this site, and the pages that say
// no (403, 404) in both languages.

/** An HTML form's fields: each name's values, as sent (application/x-www-form-urlencoded). */
export type FormFields = Record<string, string | string[]>;

/**
 * A form body is bounded: 1000 fields of text (a list page's checkboxes: up to 200 findings in the
 * bulletin composer, 500 feed entries), capped by the form parser's 256 KB bodyLimit as well.
 */
const MAX_FIELDS = 1000;

export function parseForm(text: string): FormFields {
  const out: FormFields = {};
  let n = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++n > MAX_FIELDS) break;
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else out[key] = [prior, value];
  }
  return out;
}

/** One field as text ('' when absent; the first value when repeated). */
export function field(form: unknown, name: string): string {
  if (typeof form !== 'object' || form === null) return '';
  const value = (form as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return '';
}

/** Every value of a repeated field (checkboxes). */
export function fields(form: unknown, name: string): string[] {
  if (typeof form !== 'object' || form === null) return [];
  const value = (form as Record<string, unknown>)[name];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The double-submit cookie of the sign-in form (there is no session yet to hold a token). */
export const LOGIN_CSRF_COOKIE = 'ar_login_csrf';
export const CSRF_FIELD = '_csrf';

/**
 * The token a form of this request's page must carry: the session's CSRF secret (the same one the
 * API wants in x-csrf-token), or, signed out, the sign-in cookie's value (set here when missing).
 */
export function formToken(request: FastifyRequest, reply: FastifyReply): string {
  const principal = request.auth?.principal;
  if (principal?.via === 'session' && principal.csrfSecret) return principal.csrfSecret;
  const existing = request.cookies?.[LOGIN_CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = newSecret();
  reply.setCookie(LOGIN_CSRF_COOKIE, token, {
    path: '/console',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
  });
  return token;
}

function sameSecret(sent: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `sent` is the token this request's forms carry. A bearer-token caller needs none (no ambient credential). */
export function csrfMatches(request: FastifyRequest, sent: string): boolean {
  const principal = request.auth?.principal;
  if (principal?.via === 'token') return true;
  if (principal?.via === 'session') return sameSecret(sent, principal.csrfSecret);
  return sameSecret(sent, request.cookies?.[LOGIN_CSRF_COOKIE]);
}

/** The hidden field every console form starts with. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}" />`;
}

/**
 * A `next` that stays on this site: a path beginning with one "/" (not "//" nor "/\", which
 * browsers read as another host), no control characters, resolved against a fixed origin that it
 * must keep. Anything else is dropped.
 */
export function safeNext(next: string | undefined): string | undefined {
  if (!next || next.length > 2000 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return undefined;
  try {
    const url = new URL(next, 'http://console.invalid');
    if (url.origin !== 'http://console.invalid') return undefined;
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/** The page to come back to after signing in: a GET of this page; a form's own page for a POST. */
function returnPath(request: FastifyRequest): string {
  const url = request.url;
  if (request.method === 'GET') return url;
  // A form posts to its own page (GET of the same path shows it again), except the small action
  // routes of a submission page (claim, decision), which return to that page.
  const path = url.split('?')[0]!;
  // Signing out with an ended session: nothing to come back to but the console's home.
  if (path === '/console/logout') return '/console';
  if (path.startsWith('/console/store/developers/')) return '/console/store/developers';
  return path.replace(/\/(claim|decision)$/, '');
}

export type Refusal = 'signed-out' | 'expired' | 'other-role';

/** Not signed in, session expired, or a role this page is not for: to the sign-in page, and back after. */
export function consoleRefusal(request: FastifyRequest, reply: FastifyReply, why: Refusal): FastifyReply {
  const lang = pickLang(request);
  const target = new URLSearchParams({ next: safeNext(returnPath(request)) ?? '/console', lang });
  if (why !== 'signed-out') target.set('why', why);
  return reply.code(303).header('cache-control', 'no-store').redirect(`/console/login?${target}`, 303);
}

/** A console page: no caching (it is someone's own), the console's CSP. */
export function sendPrivate(reply: FastifyReply, page: SafeHtml, lang: ConsoleLang, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', CONSOLE_CSP)
    .header('content-language', lang)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page.value);
}

/** 403: a form without its token (or a stale one). Both languages, whatever the page's. */
export function csrfRefused(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const lang = pickLang(request);
  const back = safeNext(returnPath(request)) ?? '/console';
  const body = html`<h1>${t(lang, 'csrfTitle')}</h1>
    <p lang="en">
      The form was sent without its security token, or with an old one. Nothing was changed. Open the page again and resend it.
    </p>
    <p lang="zh-CN">表单缺少安全令牌或令牌已失效，未做任何更改。请重新打开页面后再提交。</p>
    <p><a href="${withLang(back, lang)}">${t(lang, 'backToPage')}</a></p>`;
  return sendPrivate(reply, layout({ lang, title: t(lang, 'csrfTitle'), path: back, body }), lang, 403);
}

export function notFoundPage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const lang = pickLang(request);
  const body = html`<h1>${t(lang, 'notFound')}</h1>
    <p>${t(lang, 'notFoundText')}</p>`;
  return sendPrivate(reply, layout({ lang, title: t(lang, 'notFound'), path: request.url.split('?')[0]!, body }), lang, 404);
}
