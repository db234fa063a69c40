import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ID_PATTERN } from '../http/routes/common.js';
import { csrfField, sendPrivate } from './forms.js';
import { html, type Interpolation, type SafeHtml } from './html.js';
import { pickLang, t, type ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';
import { signedInFrame, time } from './frame.js';

// What the console's further screens (admin.ts, more.ts, vendor.ts, versions.ts) share: their word
// tables in both languages, the query pieces of a list page, a list's table and its "next page"
// link (lists are read with limit + 1 rows), and sending a signed-in page.

export type Words = Record<string, { en: string; zh: string }>;

export function word<T extends Words>(table: T, lang: ConsoleLang, id: keyof T): string {
  return lang === 'zh-CN' ? table[id]!.zh : table[id]!.en;
}

/** Rows a list page shows; it reads one more to know whether another page exists. */
export const PAGE = 50;
export const LangOnly = { lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])) };
export const Cursor = Type.Optional(Type.String({ pattern: ID_PATTERN }));
export const IdParam = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });
/** The query of a plain list page: the language and the cursor. */
export const ListQuery = Type.Object({ ...LangOnly, cursor: Cursor }, { additionalProperties: false });

/** A table with a header row and one row per item, or "nothing to show" without rows. */
export function listTable(lang: ConsoleLang, headers: readonly Interpolation[], rows: readonly SafeHtml[]): SafeHtml {
  if (rows.length === 0) return html`<p>${lang === 'zh-CN' ? '暂无记录。' : 'Nothing to show.'}</p>`;
  return html`<table>
    <thead>
      <tr>
        ${headers.map((h) => html`<th scope="col">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** The link to the next page when `rows` (read with limit + 1) has more than `limit`; the cursor is the last shown id. */
/** The "next page" link of a cursor-paged list. */
export function nextLink(lang: ConsoleLang, path: string, params: Record<string, string | undefined>, cursor: string | null): SafeHtml {
  if (!cursor) return html``;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  query.set('cursor', cursor);
  return html`<p class="pager"><a rel="next" href="${withLang(`${path}?${query}`, lang)}">${t(lang, 'next')}</a></p>`;
}

/** The "next page" link of a list read with one row more than it shows (`limit + 1`). */
export function pager(lang: ConsoleLang, path: string, params: URLSearchParams, rows: readonly { id: string }[], limit = PAGE): SafeHtml {
  return rows.length > limit ? nextLink(lang, path, Object.fromEntries(params), rows[limit - 1]!.id) : html``;
}

/** A signed-in page in its frame, not cached. */
export function sendSigned(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: SafeHtml,
  status = 200,
  head?: SafeHtml,
): FastifyReply {
  return sendPrivate(reply, signedInFrame(request, reply, title, body, head), pickLang(request), status);
}

const TOKEN_WORDS = {
  revoked: { en: 'revoked', zh: '已吊销' },
  expired: { en: 'expired', zh: '已过期' },
  revoke: { en: 'Revoke', zh: '吊销' },
  confirmRevoke: { en: 'Revoke this token? Programs using it stop working.', zh: '确定吊销该令牌？使用它的程序将无法继续访问。' },
} as const satisfies Words;

/** An API token's state: revoked (when), expired, or the revoke form posting to `action`. */
export function tokenState(
  lang: ConsoleLang,
  t: { revoked_at: number | null; expires_at: number | null },
  now: number,
  csrf: string,
  action: string,
): SafeHtml {
  if (t.revoked_at !== null) return html`${word(TOKEN_WORDS, lang, 'revoked')} ${time(t.revoked_at)}`;
  if (t.expires_at !== null && t.expires_at <= now) return html`${word(TOKEN_WORDS, lang, 'expired')}`;
  return html`<form
    method="post"
    action="${withLang(action, lang)}"
    class="inline"
    data-confirm="${word(TOKEN_WORDS, lang, 'confirmRevoke')}"
  >
    ${csrfField(csrf)}
    <button type="submit" class="danger">${word(TOKEN_WORDS, lang, 'revoke')}</button>
  </form>`;
}
