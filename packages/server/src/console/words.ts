import { html, type SafeHtml } from './html.js';
import type { ConsoleLang } from './i18n.js';
import { withLang } from './layout.js';

// What the console's further screens (admin.ts, vendor.ts, more.ts) share: their word tables, in
// both languages, and the "next page" link of a list read with limit + 1 rows.

export type Words = Record<string, { en: string; zh: string }>;

export function word<T extends Words>(table: T, lang: ConsoleLang, id: keyof T): string {
  return lang === 'zh-CN' ? table[id]!.zh : table[id]!.en;
}

/** The link to the next page when `rows` (read with limit + 1) has more than `limit`; the cursor is the last shown id. */
export function pager(lang: ConsoleLang, path: string, params: URLSearchParams, rows: readonly { id: string }[], limit: number): SafeHtml {
  if (rows.length <= limit) return html``;
  const next = new URLSearchParams(params);
  next.set('cursor', rows[limit - 1]!.id);
  return html`<p class="pager">
    <a rel="next" href="${withLang(`${path}?${next}`, lang)}">${lang === 'zh-CN' ? '下一页' : 'Next page'}</a>
  </p>`;
}
